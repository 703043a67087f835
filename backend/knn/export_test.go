package knn

import "unsafe"

func haveAVX2Kernel() bool {
	SetPortableKernel(false)
	return Kernel() == "C avx2+fma"
}

func unsafe_ptr(s []float32) unsafe.Pointer { return unsafe.Pointer(&s[0]) }
