/* Plain C reference of the single-chain random-sequential kernel, for side-by-side timing.
 *
 * Same ring and rules as exactspin's kernel (Q2R bulk, Metropolis nodes, paper Fig. 5
 * couplings), same generator (xoshiro256++, Blackman and Vigna) and the same use of one 64-bit
 * word per step: the high half of word * N_S picks the site, the low half is the acceptance
 * uniform. Counts accepted flips per site and neighbourhood so no work can be optimised away.
 *
 * Usage: reference_chain N_U N_D STEPS   -> prints "ns_per_update checksum"
 * Built by benchmarks/bench_montecarlo.py with gcc -O2; not part of the package.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t s[4] = {0x9E3779B97F4A7C15ull, 0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull, 1};

static inline uint64_t rotl(const uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next(void) {
    const uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s N_U N_D STEPS\n", argv[0]);
        return 2;
    }
    const long nu = atol(argv[1]), nd = atol(argv[2]);
    const long long steps = atoll(argv[3]);
    const uint64_t n = (uint64_t)(nu + nd + 2);
    const double j1 = 2.0, j2 = 1.9, tl = 2.0, tr = 0.1;
    const uint64_t right_node = (uint64_t)(nu + 1);
    uint8_t *spin = malloc(n);
    uint32_t *flips = calloc(n * 8, sizeof(uint32_t));
    /* Acceptance threshold (fraction of 2^64) per site class and neighbourhood l + 2 s + 4 r. */
    uint64_t threshold[3][8];
    for (int c = 0; c < 3; c++) {
        for (int k = 0; k < 8; k++) {
            int l = 2 * (k & 1) - 1, sp = 2 * ((k >> 1) & 1) - 1, r = 2 * ((k >> 2) & 1) - 1;
            if (c == 2) { /* Q2R bulk: flip iff the neighbours are opposite. */
                threshold[c][k] = (l == -r) ? UINT64_MAX : 0;
                continue;
            }
            /* Left node: left bond is lower (J2), right bond upper (J1); right node the reverse. */
            double jl = c == 0 ? j2 : j1, jr = c == 0 ? j1 : j2, t = c == 0 ? tl : tr;
            double de = 2.0 * sp * (jl * l + jr * r);
            double p = de <= 0 ? 1.0 : exp(-de / t);
            threshold[c][k] = p >= 1.0 ? UINT64_MAX : (uint64_t)ldexp(p, 64);
        }
    }
    /* Tables instead of branches: a data-dependent branch per step costs more than the update. */
    uint64_t *neighbour = malloc(2 * n * sizeof(uint64_t));
    uint8_t *site_class = malloc(n);
    for (uint64_t i = 0; i < n; i++) {
        neighbour[2 * i] = i == 0 ? n - 1 : i - 1;
        neighbour[2 * i + 1] = i + 1 == n ? 0 : i + 1;
        site_class[i] = i == 0 ? 0 : (i == right_node ? 1 : 2);
        spin[i] = next() >> 63;
    }
    struct timespec start, stop;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long long step = 0; step < steps; step++) {
        const uint64_t word = next();
        const __uint128_t product = (__uint128_t)word * n;
        const uint64_t site = (uint64_t)(product >> 64), fraction = (uint64_t)product;
        const uint64_t left = neighbour[2 * site], right = neighbour[2 * site + 1];
        const int k = spin[left] | (spin[site] << 1) | (spin[right] << 2);
        const int c = site_class[site];
        const uint8_t accepted = fraction < threshold[c][k];
        spin[site] ^= accepted;
        flips[site * 8 + k] += accepted;
    }
    clock_gettime(CLOCK_MONOTONIC, &stop);
    double seconds = (stop.tv_sec - start.tv_sec) + 1e-9 * (stop.tv_nsec - start.tv_nsec);
    uint64_t checksum = 0;
    for (uint64_t i = 0; i < n * 8; i++) checksum += flips[i] * (i + 1);
    printf("%.4f %llu\n", seconds / steps * 1e9, (unsigned long long)checksum);
    free(spin);
    free(flips);
    free(neighbour);
    free(site_class);
    return 0;
}
