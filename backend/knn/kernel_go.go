//go:build !cgo

package knn

import "sync/atomic"

// Without cgo the kernel is plain Go: correct everywhere, a few times slower.

var portable atomic.Bool

// SetPortableKernel is a no-op without cgo: the Go kernel is the only one.
func SetPortableKernel(on bool) { portable.Store(on) }

// Kernel names the dot-product kernel searches use now.
func Kernel() string { return "pure Go" }

func dot1(q, r []float32) float32 {
	var a [8]float32
	for j := 0; j+8 <= len(q); j += 8 {
		r, q := r[j:j+8], q[j:j+8]
		for l := range 8 {
			a[l] += r[l] * q[l]
		}
	}
	return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))
}

func dotBlock(q, data []float32, stride, n int, out []float32) {
	for i := range n {
		out[i] = dot1(q[:stride], data[i*stride:(i+1)*stride])
	}
}

func dotGather(q, data []float32, stride int, pos []int32, out []float32) {
	for i, p := range pos {
		out[i] = dot1(q[:stride], data[int(p)*stride:(int(p)+1)*stride])
	}
}
