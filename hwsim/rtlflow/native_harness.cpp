// hwsim's native Verilator harness: drives one stream-in / stream-out block from a vector file
// and checks every output beat and every transaction's cycle count in C++, with no Python in
// the simulation loop.
//
// hwsim (hwsim/rtlflow/native_build.py) copies this file next to a generated `hwsim_design.h`
// that names the Verilated top class and the payload widths:
//
//   using HwsimTop = V<block>;
//   #define HWSIM_I_PAYLOAD ... HWSIM_O_READY          // the stream ports' C++ member names
//   constexpr int HWSIM_IN_WORDS, HWSIM_OUT_WORDS;   // 32-bit words of each payload
//   constexpr int HWSIM_OUT_LAST_BIT;                 // bit that ends a transaction, -1: every beat
//   constexpr uint32_t HWSIM_OUT_MASK[HWSIM_OUT_WORDS];  // payload bits that are checked
//
// Usage: hwsim_native VECTORS SUMMARY SEED IDLE_PROB STALL_PROB
//
// Timing is the cocotb testbenches' (testbench/common.py): after each rising edge the driver
// offers the next input beat (or idles with IDLE_PROB before a new beat) and the sink drops
// `ready` with STALL_PROB; after the falling edge, when everything has settled, the monitor
// samples both handshakes.  A transaction's measured cycles are end - start + 1 minus the
// cycles the block waited for the bench (input wanted but not offered while the transaction
// still has beats to deliver, or output offered but not taken); start is the cycle its first
// input beat was accepted, end the cycle its last output beat was taken.
//
// Vector file (little-endian uint32 throughout; written by hwsim/rtlflow/vectors.py):
//   header[8]   magic 0x56535748 ("HWSV"), version 1, transactions T, input words per beat,
//               output words per beat, input beats, output beats, 0
//   in_count[T], out_count[T], cycles[T]       beats in and out and predicted cycles per transaction
//   input words, then expected output words    beat after beat, lowest word first
//
// Summary: one JSON object (see write_summary).  Exit status 0 when the run finished (pass or
// fail: the summary says which), 2 on a bad vector file or arguments.

#include <verilated.h>

#include "hwsim_design.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr uint32_t kMagic = 0x56535748u;
constexpr uint32_t kVersion = 1u;
constexpr std::size_t kFirstMismatches = 5;  // as many as the cocotb checker lists

// Verilator keeps a port of up to 8, 16, 32 and 64 bits in CData, SData, IData and QData and a
// wider one in VlWide<N> (N 32-bit words, lowest first): one word per 32 bits in every case.
inline void put(CData& port, const uint32_t* w) { port = static_cast<CData>(w[0]); }
inline void put(SData& port, const uint32_t* w) { port = static_cast<SData>(w[0]); }
inline void put(IData& port, const uint32_t* w) { port = w[0]; }
inline void put(QData& port, const uint32_t* w) { port = w[0] | (static_cast<QData>(w[1]) << 32); }
template <std::size_t N>
inline void put(VlWide<N>& port, const uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) port[i] = w[i];
}
inline void get(CData port, uint32_t* w) { w[0] = port; }
inline void get(SData port, uint32_t* w) { w[0] = port; }
inline void get(IData port, uint32_t* w) { w[0] = port; }
inline void get(QData port, uint32_t* w) {
    w[0] = static_cast<uint32_t>(port);
    w[1] = static_cast<uint32_t>(port >> 32);
}
template <std::size_t N>
inline void get(const VlWide<N>& port, uint32_t* w) {
    for (std::size_t i = 0; i < N; ++i) w[i] = port[i];
}

// splitmix64: the idle and stall draws (not Python's generator: the pattern differs from a
// cocotb run with the same seed, its statistics do not).
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
};

// true with probability p: compare 53 random bits with p * 2^53
struct Coin {
    uint64_t threshold;
    explicit Coin(double p) : threshold(static_cast<uint64_t>(p * 9007199254740992.0)) {}
    bool flip(Rng& rng) const { return (rng.next() >> 11) < threshold; }
};

struct Vectors {
    std::vector<uint32_t> raw;
    uint32_t transactions = 0, in_beats = 0, out_beats = 0;
    const uint32_t *in_count = nullptr, *out_count = nullptr, *cycles = nullptr;
    const uint32_t *in_words = nullptr, *out_words = nullptr;
    std::vector<uint64_t> out_first;  // index of each transaction's first expected output beat
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "hwsim_native: %s\n", message.c_str());
    std::exit(2);
}

Vectors load(const char* path) {
    Vectors v;
    std::FILE* f = std::fopen(path, "rb");
    if (!f) die(std::string("cannot open the vector file ") + path);
    std::fseek(f, 0, SEEK_END);
    long bytes = std::ftell(f);
    std::fseek(f, 0, SEEK_SET);
    if (bytes < 32 || bytes % 4) die(std::string("the vector file ") + path + " is truncated");
    v.raw.resize(static_cast<std::size_t>(bytes) / 4);
    if (std::fread(v.raw.data(), 4, v.raw.size(), f) != v.raw.size()) die("short read of the vector file");
    std::fclose(f);
    const uint32_t* h = v.raw.data();
    if (h[0] != kMagic || h[1] != kVersion) die("not an hwsim vector file of version 1");
    if (h[3] != HWSIM_IN_WORDS || h[4] != HWSIM_OUT_WORDS)
        die("the vector file's payload widths do not match this build (" + std::to_string(h[3]) + "/" +
            std::to_string(h[4]) + " words, built for " + std::to_string(HWSIM_IN_WORDS) + "/" +
            std::to_string(HWSIM_OUT_WORDS) + ")");
    v.transactions = h[2];
    v.in_beats = h[5];
    v.out_beats = h[6];
    uint64_t need = 8 + 3ull * v.transactions + uint64_t(v.in_beats) * HWSIM_IN_WORDS +
                    uint64_t(v.out_beats) * HWSIM_OUT_WORDS;
    if (need != v.raw.size()) die("the vector file's size does not match its header");
    v.in_count = h + 8;
    v.out_count = v.in_count + v.transactions;
    v.cycles = v.out_count + v.transactions;
    v.in_words = v.cycles + v.transactions;
    v.out_words = v.in_words + uint64_t(v.in_beats) * HWSIM_IN_WORDS;
    v.out_first.resize(v.transactions);
    uint64_t in_sum = 0, out_sum = 0;
    for (uint32_t t = 0; t < v.transactions; ++t) {
        if (v.in_count[t] == 0 || v.out_count[t] == 0) die("a transaction without input or output beats");
        v.out_first[t] = out_sum;
        in_sum += v.in_count[t];
        out_sum += v.out_count[t];
    }
    if (in_sum != v.in_beats || out_sum != v.out_beats) die("the vector file's beat counts do not add up");
    return v;
}

struct Mismatch {
    uint64_t transaction;
    std::string json;  // the entry's fields after "transaction"
};

std::string hex_words(const uint32_t* w, int n) {
    std::string s = "0x";
    char buf[9];
    for (int i = n - 1; i >= 0; --i) {
        std::snprintf(buf, sizeof buf, "%08x", w[i]);
        s += buf;
    }
    return s;
}

struct Summary {
    uint64_t transactions = 0, finished = 0, cycles_simulated = 0, cycles_checked = 0;
    uint64_t output_mismatches = 0, cycle_mismatches = 0;
    double sim_seconds = 0.0, sim_cpu_seconds = 0.0;
    std::vector<Mismatch> first;
    std::string error;

    void note(uint64_t t, const std::string& json) {
        if (first.size() < kFirstMismatches) first.push_back({t, json});
    }
};

void write_summary(const char* path, const Summary& s) {
    std::FILE* f = std::fopen(path, "w");
    if (!f) die(std::string("cannot write the summary ") + path);
    std::fprintf(f,
                 "{\"transactions\": %llu, \"finished\": %llu, \"cycles_simulated\": %llu, "
                 "\"cycles_checked\": %llu, \"output_mismatches\": %llu, \"cycle_mismatches\": %llu, "
                 "\"sim_seconds\": %.6f, \"sim_cpu_seconds\": %.6f, \"error\": ",
                 (unsigned long long)s.transactions, (unsigned long long)s.finished,
                 (unsigned long long)s.cycles_simulated, (unsigned long long)s.cycles_checked,
                 (unsigned long long)s.output_mismatches, (unsigned long long)s.cycle_mismatches, s.sim_seconds,
                 s.sim_cpu_seconds);
    if (s.error.empty())
        std::fprintf(f, "null");
    else
        std::fprintf(f, "\"%s\"", s.error.c_str());  // plain ASCII, no quotes (built below)
    std::fprintf(f, ", \"first_mismatches\": [");
    for (std::size_t i = 0; i < s.first.size(); ++i)
        std::fprintf(f, "%s{\"transaction\": %llu, %s}", i ? ", " : "",
                     (unsigned long long)s.first[i].transaction, s.first[i].json.c_str());
    std::fprintf(f, "]}\n");
    std::fclose(f);
}

bool masked_equal(const uint32_t* got, const uint32_t* want) {
    for (int i = 0; i < HWSIM_OUT_WORDS; ++i)
        if ((got[i] ^ want[i]) & HWSIM_OUT_MASK[i]) return false;
    return true;
}

void run(const Vectors& v, uint64_t seed, double idle_prob, double stall_prob, Summary& s) {
    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<HwsimTop>(context.get());
    Rng rng{seed};
    const Coin idle(idle_prob), stall(stall_prob);
    const uint32_t n = v.transactions;

    uint64_t total = 0, longest = 0;
    for (uint32_t t = 0; t < n; ++t) {
        total += v.cycles[t];
        if (v.cycles[t] > longest) longest = v.cycles[t];
    }
    s.transactions = n;
    s.cycles_checked = total;
    const uint64_t max_cycles = 20 * total + 1000, stall_limit = 20 * longest + 50;

    std::vector<int64_t> start(n, -1);
    std::vector<uint32_t> waits(n, 0);
    std::vector<uint8_t> output_bad(n, 0);

    // reset: three edges with rst high, one with it low and the streams idle, as the cocotb bench
    top->clk = 0;
    top->rst = 1;
    top->HWSIM_I_VALID = 0;
    top->HWSIM_O_READY = 0;
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

    uint32_t in_t = 0, in_k = 0;    // the next input beat: transaction, beat within it
    uint64_t in_beat = 0;           // its index in the file
    bool offered = false;
    uint32_t out_t = 0, out_k = 0;  // the transaction whose outputs come next, beats seen of it
    uint64_t cycle = 0, last_move = 0;
    uint32_t word[HWSIM_OUT_WORDS];

    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    while (out_t < n) {
        if (cycle > max_cycles || cycle - last_move > stall_limit) {
            s.error = "stuck: " + std::to_string(out_t) + " of " + std::to_string(n) + " transactions done after " +
                      std::to_string(cycle) + " cycles, last handshake in cycle " + std::to_string(last_move);
            break;
        }
        // right after the rising edge: offer the next beat (or idle) and choose ready
        if (!offered && in_t < n && !idle.flip(rng)) {
            offered = true;
            put(top->HWSIM_I_PAYLOAD, v.in_words + in_beat * HWSIM_IN_WORDS);
        }
        top->HWSIM_I_VALID = offered;
        top->HWSIM_O_READY = !stall.flip(rng);
        top->clk = 0;
        top->eval();
        // after the falling edge: what the block did in this cycle
        const bool i_valid = top->HWSIM_I_VALID, i_ready = top->HWSIM_I_READY;
        const bool o_valid = top->HWSIM_O_VALID, o_ready = top->HWSIM_O_READY;
        if (i_ready && !i_valid && in_t < n && start[in_t] >= 0) ++waits[in_t];
        if (o_valid && !o_ready && start[out_t] >= 0) ++waits[out_t];
        if ((i_valid && i_ready) || (o_valid && o_ready)) last_move = cycle;
        if (i_valid && i_ready) {
            if (start[in_t] < 0) start[in_t] = static_cast<int64_t>(cycle);
            offered = false;
            ++in_beat;
            if (++in_k == v.in_count[in_t]) {
                ++in_t;
                in_k = 0;
            }
        }
        if (o_valid && o_ready) {
            if (start[out_t] < 0) {
                s.error = "cycle " + std::to_string(cycle) + ": output before transaction " + std::to_string(out_t) +
                          " started";
                break;
            }
            get(top->HWSIM_O_PAYLOAD, word);
            if (out_k < v.out_count[out_t]) {
                const uint32_t* want = v.out_words + (v.out_first[out_t] + out_k) * HWSIM_OUT_WORDS;
                if (!output_bad[out_t] && !masked_equal(word, want)) {
                    output_bad[out_t] = 1;
                    s.note(out_t, "\"kind\": \"output\", \"beat\": " + std::to_string(out_k) + ", \"got\": \"" +
                                      hex_words(word, HWSIM_OUT_WORDS) + "\", \"expected\": \"" +
                                      hex_words(want, HWSIM_OUT_WORDS) + "\"");
                }
            }
            ++out_k;
            const bool ends = HWSIM_OUT_LAST_BIT < 0 ||
                              ((word[HWSIM_OUT_LAST_BIT / 32] >> (HWSIM_OUT_LAST_BIT % 32)) & 1u);
            if (ends) {
                if (out_k != v.out_count[out_t] && !output_bad[out_t]) {
                    output_bad[out_t] = 1;
                    s.note(out_t, "\"kind\": \"beats\", \"got\": " + std::to_string(out_k) +
                                      ", \"expected\": " + std::to_string(v.out_count[out_t]));
                }
                s.output_mismatches += output_bad[out_t];
                const uint64_t measured = cycle - static_cast<uint64_t>(start[out_t]) + 1 - waits[out_t];
                if (measured != v.cycles[out_t]) {
                    ++s.cycle_mismatches;
                    s.note(out_t, "\"kind\": \"cycles\", \"got\": " + std::to_string(measured) +
                                      ", \"expected\": " + std::to_string(v.cycles[out_t]));
                }
                ++out_t;
                out_k = 0;
            }
        }
        top->clk = 1;
        top->eval();
        ++cycle;
    }
    s.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.sim_cpu_seconds = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    s.cycles_simulated = cycle;
    s.finished = out_t;
    if (!s.error.empty()) {  // what did not finish counts as wrong, both ways
        s.output_mismatches += n - out_t;
        s.cycle_mismatches += n - out_t;
    }
    top->final();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) die("usage: hwsim_native VECTORS SUMMARY SEED IDLE_PROB STALL_PROB");
    const Vectors v = load(argv[1]);
    const uint64_t seed = std::strtoull(argv[3], nullptr, 10);
    const double idle = std::strtod(argv[4], nullptr), stall = std::strtod(argv[5], nullptr);
    if (!(idle >= 0.0 && idle < 1.0) || !(stall >= 0.0 && stall < 1.0))
        die("idle and stall probabilities must be in [0, 1)");
    Summary s;
    run(v, seed, idle, stall, s);
    write_summary(argv[2], s);
    return 0;
}
