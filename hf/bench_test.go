package hf

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vlmtune/vlmtune/hf/safetensors"
)

// benchCheckpoint returns a checkpoint of about mb megabytes of float32
// weights shaped like transformer layers (VLMTUNE_BENCH_MB overrides the
// size).
func benchCheckpoint(b *testing.B, mb int) *Checkpoint {
	if s := os.Getenv("VLMTUNE_BENCH_MB"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v > 0 {
			mb = v
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	ck := &Checkpoint{Config: []byte(`{"model_type": "bench"}`)}
	const d = 1024
	var total int
	for layer := 0; total < mb<<20; layer++ {
		for _, s := range [][]int{{d, d}, {d, d}, {d, d}, {d, d}, {4 * d, d}, {d, 4 * d}, {d}, {d}} {
			t := Tensor{Name: fmt.Sprintf("layers.%d.w%d", layer, len(ck.Tensors)%8), Shape: s}
			t.Data = make([]float32, t.NumElements())
			for i := range t.Data {
				t.Data[i] = float32(r.NormFloat64())
			}
			ck.Tensors = append(ck.Tensors, t)
			total += 4 * len(t.Data)
		}
	}
	return ck
}

// BenchmarkCheckpoint measures loading and saving a ~600 MB checkpoint
// against two bounds: copying the same bytes in memory (memcpy) and
// reading the file into a buffer (page cache). Run it with
//
//	go test ./hf -run '^$' -bench Checkpoint -benchtime 5x
//
// MB/s counts float32 bytes delivered (or written).
func BenchmarkCheckpoint(b *testing.B) {
	ck := benchCheckpoint(b, 600)
	var floatBytes int64
	for _, t := range ck.Tensors {
		floatBytes += 4 * int64(len(t.Data))
	}
	dir := b.TempDir()
	f32Dir, bf16Dir := filepath.Join(dir, "f32"), filepath.Join(dir, "bf16")
	if err := WriteCheckpoint(f32Dir, ck, WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	if err := WriteCheckpoint(bf16Dir, ck, WriteOptions{DType: safetensors.BF16}); err != nil {
		b.Fatal(err)
	}
	b.Run("memcpy", func(b *testing.B) {
		b.SetBytes(floatBytes)
		for b.Loop() {
			for _, t := range ck.Tensors {
				dst := make([]float32, len(t.Data))
				copy(dst, t.Data)
			}
		}
	})
	b.Run("readfile", func(b *testing.B) {
		b.SetBytes(floatBytes)
		buf := make([]byte, floatBytes+1<<20)
		for b.Loop() {
			f, err := os.Open(filepath.Join(f32Dir, WeightsFile))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(f, buf[:floatBytes]); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	for _, c := range []struct{ name, dir string }{{"read-f32", f32Dir}, {"read-bf16", bf16Dir}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(floatBytes)
			for b.Loop() {
				if _, err := ReadCheckpoint(c.dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("write-f32", func(b *testing.B) {
		b.SetBytes(floatBytes)
		for b.Loop() {
			if err := WriteCheckpoint(filepath.Join(dir, "w"), ck, WriteOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
