#!/usr/bin/env python3
"""Reference outputs of the seeded generator, from an independent Python
implementation of the documented algorithm (SplitMix64 seeding + xoshiro256**), so the Swift
generator is pinned to the algorithm and not to itself.

Writes generator_reference.json: for each (seed, stream), the first 8 raw outputs (as decimal
strings), 4 unit doubles, 4 gaussians (Irwin-Hall 12) and 8 ints below 10.
Run: python3 Tests/DosimetryTests/Fixtures/make_generator_reference.py
"""
import json
import os

MASK = (1 << 64) - 1


def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Generator:
    def __init__(self, seed, stream):
        mixer, first = splitmix(seed)
        mixer = first ^ stream
        self.s = []
        for _ in range(4):
            mixer, value = splitmix(mixer)
            self.s.append(value)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53

    def gaussian(self):
        total = 0.0
        for _ in range(12):
            total += self.unit()
        return total - 6

    def below(self, bound):
        limit = MASK - MASK % bound
        while True:
            value = self.next()
            if value < limit:
                return value % bound


def main():
    cases = []
    for seed, stream in [(0, 0), (7, 0), (7, 1), (7, 12345), (2 ** 64 - 1, 3)]:
        g = Generator(seed, stream)
        raw = [str(g.next()) for _ in range(8)]
        units = [g.unit() for _ in range(4)]
        gaussians = [g.gaussian() for _ in range(4)]
        ints = [g.below(10) for _ in range(8)]
        cases.append({"seed": str(seed), "stream": str(stream), "raw": raw, "units": units,
                      "gaussians": gaussians, "intsBelow10": ints})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generator_reference.json")
    with open(path, "w") as handle:
        json.dump({"cases": cases}, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
