package validate

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/data"
)

// writeBigJSONL writes n records (one in ten a LLaVA conversation) over
// five shared images, as used for the 100,000-line measurement:
//
//	go test -run '^$' -bench Validate100k ./data/validate
func writeBigJSONL(b *testing.B, dir string, n int) string {
	for i := 0; i < 5; i++ {
		src, err := os.ReadFile(filepath.Join("testdata", "images", []string{"good.png", "other.png"}[i%2]))
		if err != nil {
			b.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, "images"), 0o755)
		os.WriteFile(filepath.Join(dir, "images", fmt.Sprintf("%d.png", i)), src, 0o644)
	}
	p := filepath.Join(dir, "big.jsonl")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("a photo of the cat dog on a red blue green table under sky with person running")
	for i := 0; i < n; i++ {
		var c []string
		for j := 0; j < 3+r.IntN(28); j++ {
			c = append(c, words[r.IntN(len(words))])
		}
		caption := strings.Join(c, " ")
		if i%10 == 0 {
			fmt.Fprintf(w, `{"id": "c%d", "image": "images/%d.png", "conversations": [{"from": "human", "value": "<image>\nDescribe."}, {"from": "gpt", "value": %q}]}`+"\n", i, i%5, caption)
		} else {
			fmt.Fprintf(w, `{"image_path": "images/%d.png", "caption": %q, "metadata": {"source": "s%d", "quality_score": %.3f, "language": "en"}}`+"\n", i%5, caption, i%3, r.Float64())
		}
	}
	w.Flush()
	f.Close()
	return p
}

func BenchmarkValidate100k(b *testing.B) {
	p := writeBigJSONL(b, b.TempDir(), 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := New(Options{Duplicates: true})
		s, err := Run(context.Background(), []string{p}, data.Options{}, c, nil)
		if err != nil || s.Records != 100_000 || s.Errors != 0 {
			b.Fatalf("%+v %v", s, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N), "s/100k-lines")
}
