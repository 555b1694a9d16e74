"""Units and conversions: the one place where factors of ten live."""

PJ_PER_J = 1e12
UM2_PER_MM2 = 1e6
HZ_PER_MHZ = 1e6


def cycles_to_seconds(cycles: float, clock_mhz: float) -> float:
    """Convert a cycle count at ``clock_mhz`` to seconds."""
    return cycles / (clock_mhz * HZ_PER_MHZ)


def um2_to_mm2(area_um2: float) -> float:
    return area_um2 / UM2_PER_MM2


def power_w(energy_pj: float, latency_s: float) -> float:
    """Average power in watts of ``energy_pj`` spent over ``latency_s``."""
    if latency_s <= 0:
        return 0.0
    return energy_pj / PJ_PER_J / latency_s
