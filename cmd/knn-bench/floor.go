package main

/*
#cgo CFLAGS: -O3
#include <stddef.h>
#if defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static float sum_avx2(const float *p, size_t n) {
	__m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps(), c = _mm256_setzero_ps(), d = _mm256_setzero_ps();
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		a = _mm256_add_ps(a, _mm256_loadu_ps(p + i));
		b = _mm256_add_ps(b, _mm256_loadu_ps(p + i + 8));
		c = _mm256_add_ps(c, _mm256_loadu_ps(p + i + 16));
		d = _mm256_add_ps(d, _mm256_loadu_ps(p + i + 24));
	}
	float t[8], s = 0;
	_mm256_storeu_ps(t, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
	for (int l = 0; l < 8; l++) s += t[l];
	for (; i < n; i++) s += p[i];
	return s;
}
static int have_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2"); }
#else
static float sum_avx2(const float *p, size_t n) { return 0; }
static int have_avx2(void) { return 0; }
#endif
static float sum_plain(const float *p, size_t n) {
	float a[8] = {0}, s = 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int l = 0; l < 8; l++) a[l] += p[i + l];
	for (int l = 0; l < 8; l++) s += a[l];
	for (; i < n; i++) s += p[i];
	return s;
}
static float sum_floats(const float *p, size_t n) { return have_avx2() ? sum_avx2(p, n) : sum_plain(p, n); }
*/
import "C"

import (
	"sync"
	"time"
	"unsafe"
)

// bandwidthFloor is the best time (of reps) to read all of data once with
// t goroutines: no search over these bytes can be faster.
func bandwidthFloor(data []float32, t, reps int) time.Duration {
	best := time.Duration(1 << 62)
	sink := make([]float32, t)
	for range reps {
		start := time.Now()
		var wg sync.WaitGroup
		for w := range t {
			wg.Add(1)
			go func() {
				defer wg.Done()
				part := data[len(data)*w/t : len(data)*(w+1)/t]
				sink[w] = float32(C.sum_floats((*C.float)(unsafe.Pointer(&part[0])), C.size_t(len(part))))
			}()
		}
		wg.Wait()
		best = min(best, time.Since(start))
	}
	return best
}
