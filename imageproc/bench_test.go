package imageproc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/vlmtune/vlmtune/imageproc/internal/jpegdec"
)

// benchJPEGs returns the JPEG files to benchmark: those in the folder named
// by VLMTUNE_BENCH_JPEG_DIR (bench/imageproc/run.sh writes 640×480 files
// there with PIL), or eight 640×480 JPEGs encoded here.
func benchJPEGs(b *testing.B) [][]byte {
	b.Helper()
	if dir := os.Getenv("VLMTUNE_BENCH_JPEG_DIR"); dir != "" {
		names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
		if err != nil || len(names) == 0 {
			b.Fatalf("VLMTUNE_BENCH_JPEG_DIR=%s holds no .jpg files", dir)
		}
		sort.Strings(names)
		var out [][]byte
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, data)
		}
		return out
	}
	var out [][]byte
	for i := range 8 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, syntheticPhoto(640, 480, uint64(i)), &jpeg.Options{Quality: 90}); err != nil {
			b.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	return out
}

// syntheticPhoto draws smooth gradients, shapes and mild noise, which
// compress like a photograph.
func syntheticPhoto(w, h int, seed uint64) image.Image {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	fx, fy := 3+rng.Float64()*10, 3+rng.Float64()*10
	for y := range h {
		for x := range w {
			r := 128 + 100*math.Sin(float64(x)/fx/7)*math.Cos(float64(y)/fy/5)
			g := 255 * float64(x) / float64(w)
			bl := 255 * float64(y) / float64(h)
			n := rng.NormFloat64() * 6
			m.SetRGBA(x, y, color.RGBA{clampF(r + n), clampF(g + n), clampF(bl + n), 255})
		}
	}
	return m
}

func clampF(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// BenchmarkDecodeProcessJPEG measures decode + RGB conversion + CLIP
// preprocessing (shortest edge 224, bicubic, 224×224 center crop,
// normalize) per image; run with -cpu 1 for images/s per core.
func BenchmarkDecodeProcessJPEG(b *testing.B) {
	files := benchJPEGs(b)
	p, err := NewCLIPProcessor(ProcessorConfig{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, 3*224*224)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if err := p.ProcessBytes(dst, "bench.jpg", files[i%len(files)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}

// BenchmarkDecodeJPEG measures decoding (with RGB conversion) alone.
func BenchmarkDecodeJPEG(b *testing.B) {
	files := benchJPEGs(b)
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(files[i%len(files)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}

// BenchmarkProcess640x480 measures the processor alone on a decoded image.
func BenchmarkProcess640x480(b *testing.B) {
	img := ToRGB(syntheticPhoto(640, 480, 1))
	p, err := NewCLIPProcessor(ProcessorConfig{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, 3*224*224)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if err := p.ProcessInto(dst, img); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}

// processCPU returns the CPU time this process has used (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates reports images per wall-clock second and per CPU second; the
// second is the steadier figure on a machine shared with other work.
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "images/cpu-s")
	}
}

// BenchmarkJPEGExactDecoder measures the exact (libjpeg-compatible) JPEG
// decoder alone, without colour conversion.
func BenchmarkJPEGExactDecoder(b *testing.B) {
	files := benchJPEGs(b)
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := jpegdec.Decode(files[i%len(files)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}

// BenchmarkJPEGStdlibDecoder measures image/jpeg on the same files.
func BenchmarkJPEGStdlibDecoder(b *testing.B) {
	files := benchJPEGs(b)
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := jpeg.Decode(bytes.NewReader(files[i%len(files)])); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, processCPU()-cpu0)
}
