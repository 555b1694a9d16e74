// The yardstick for hwsim's native harness: a minimal hand-written Verilator testbench.
//
// It drives the same input beats (read from the native run's vector file) with the same idle
// and back-pressure probabilities, and reads every output payload into a checksum, but checks
// nothing and keeps no per-transaction books: the least a C++ testbench of a stream block does.
// benchmarks/rtl_speed.py builds it against the same Verilated design and header as
// hwsim/rtlflow/native_harness.cpp (hwsim_design.h: the top class and the port names) and
// compares simulated cycles per second.
//
// Usage: native_baseline VECTORS SEED IDLE_PROB STALL_PROB
// Prints: cycles simulated, wall and CPU seconds of the loop, output beats, checksum.

#include <verilated.h>

#include "hwsim_design.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <memory>
#include <vector>

static uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

template <typename P>
static void drive(P& port, const uint32_t* w) {
    if constexpr (sizeof(P) <= 4) port = static_cast<P>(w[0]);
    else if constexpr (sizeof(P) == 8) port = w[0] | (static_cast<uint64_t>(w[1]) << 32);
    else for (int i = 0; i < HWSIM_IN_WORDS; ++i) port[i] = w[i];
}

template <typename P>
static uint64_t fold(const P& port) {
    if constexpr (sizeof(P) <= 8) return static_cast<uint64_t>(port);
    else {
        uint64_t h = 0;
        for (int i = 0; i < HWSIM_OUT_WORDS; ++i) h = h * 31 + port[i];
        return h;
    }
}

int main(int argc, char** argv) {
    if (argc != 5) return 2;
    std::FILE* f = std::fopen(argv[1], "rb");
    if (!f) return 2;
    std::fseek(f, 0, SEEK_END);
    std::vector<uint32_t> raw(std::ftell(f) / 4);
    std::fseek(f, 0, SEEK_SET);
    if (std::fread(raw.data(), 4, raw.size(), f) != raw.size()) return 2;
    std::fclose(f);
    const uint32_t n = raw[2], in_beats = raw[5], out_beats = raw[6];
    const uint32_t* in_words = raw.data() + 8 + 3ull * n;
    uint64_t limit = 1000;  // a hung design stops the run (the checksum then is meaningless)
    for (uint32_t t = 0; t < n; ++t) limit += 20ull * raw[8 + 2ull * n + t];

    uint64_t rng = std::strtoull(argv[2], nullptr, 10);
    const uint64_t idle = static_cast<uint64_t>(std::strtod(argv[3], nullptr) * 9007199254740992.0);
    const uint64_t stall = static_cast<uint64_t>(std::strtod(argv[4], nullptr) * 9007199254740992.0);

    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<HwsimTop>(context.get());
    top->clk = 0;
    top->rst = 1;
    top->eval();
    for (int i = 0; i < 3; ++i) {
        top->clk = 1;
        top->eval();
        top->clk = 0;
        top->eval();
    }
    top->rst = 0;
    top->clk = 1;
    top->eval();

    uint64_t beat = 0, seen = 0, cycle = 0, sum = 0;
    bool offered = false;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    while (seen < out_beats && cycle < limit) {
        if (!offered && beat < in_beats && (splitmix(rng) >> 11) >= idle) {
            offered = true;
            drive(top->HWSIM_I_PAYLOAD, in_words + beat * HWSIM_IN_WORDS);
        }
        top->HWSIM_I_VALID = offered;
        top->HWSIM_O_READY = (splitmix(rng) >> 11) >= stall;
        top->clk = 0;
        top->eval();
        if (top->HWSIM_I_VALID && top->HWSIM_I_READY) {
            offered = false;
            ++beat;
        }
        if (top->HWSIM_O_VALID && top->HWSIM_O_READY) {
            sum = sum * 1099511628211ull + fold(top->HWSIM_O_PAYLOAD);
            ++seen;
        }
        top->clk = 1;
        top->eval();
        ++cycle;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("%llu %.6f %.6f %llu %016llx\n", (unsigned long long)cycle, s, cpu, (unsigned long long)seen,
                (unsigned long long)sum);
    top->final();
    return 0;
}
