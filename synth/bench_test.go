package synth

import "testing"

// BenchmarkExample measures drawing one 64×64 example (no PNG, no file).
func BenchmarkExample(b *testing.B) {
	g, err := NewGenerator(Config{N: 1 << 30, Seed: 1, Domain: "ab"})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		g.Example(i)
	}
}

// BenchmarkGenerate measures writing a 64×64 data set (PNG and metadata).
func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		if _, err := Generate(b.Context(), Config{N: 500, Seed: uint64(i)}, dir, 0, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "images/s")
}
