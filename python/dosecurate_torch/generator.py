"""dosecurate's seeded random numbers, as the engine draws them (Sources/Support/Random/SeededGenerator.swift).

The engine does not use a platform generator: it uses a documented algorithm so the same seed
gives the same numbers everywhere. This is that algorithm in Python integers: xoshiro256**
(Blackman & Vigna, 2018) whose 256-bit state is filled by SplitMix64 (Steele, Lea & Flood, 2014)
from ``seed`` and ``stream`` — SplitMix64 of the seed, that output XOR-ed with the stream becomes
the mixer's new state, then four outputs are the state.
"""

_MASK = (1 << 64) - 1


def _splitmix64(state):
    """One SplitMix64 step: the advanced state and its output."""
    state = (state + 0x9E3779B97F4A7C15) & _MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return state, z ^ (z >> 31)


def _rotate_left(value, count):
    return ((value << count) | (value >> (64 - count))) & _MASK


class SeededGenerator:
    """The engine's ``SeededGenerator(seed:stream:)``: one stream of one seed."""

    def __init__(self, seed, stream=0):
        if not (0 <= seed <= _MASK and 0 <= stream <= _MASK):
            raise ValueError(f"seed and stream must be unsigned 64-bit integers, found seed {seed}, stream {stream}")
        _, first = _splitmix64(seed)
        mixer = first ^ stream
        self._state = []
        for _ in range(4):
            mixer, value = _splitmix64(mixer)
            self._state.append(value)

    def next(self):
        """The next 64 random bits (xoshiro256**)."""
        s = self._state
        result = (_rotate_left((s[1] * 5) & _MASK, 7) * 9) & _MASK
        shifted = (s[1] << 17) & _MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= shifted
        s[3] = _rotate_left(s[3], 45)
        return result

    def next_int(self, bound):
        """Uniform in ``range(bound)`` without modulo bias: outputs in the short top range are redrawn."""
        if bound <= 0:
            raise ValueError(f"bound must be positive, found {bound}")
        limit = _MASK - _MASK % bound
        while True:
            value = self.next()
            if value < limit:
                return value % bound
