"""xoshiro256++ on Python integers, the tests' reference for the kernels' streams."""

MASK = 2**64 - 1


class ReferenceGenerator:
    """xoshiro256++ with Python integers (Blackman and Vigna's reference algorithm)."""

    def __init__(self, state):
        self.s = [int(x) for x in state]
        self.lanes = ()

    def next(self):
        s = self.s

        def rotl(x, k):
            return ((x << k) | (x >> (64 - k))) & MASK

        word = (rotl((s[0] + s[3]) & MASK, 23) + s[0]) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return word
