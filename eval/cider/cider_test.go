package cider

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// testdata/pycocoevalcap_cider.json: pycocoevalcap's CiderScorer
// (github.com/salaniz/pycocoevalcap commit
// ad63453cfab57a81a02b2949b17a91fab1c3df77, cider/cider_scorer.py, n=4,
// sigma=6) run with Debian python3 3.11 and numpy 1.24.2 on the stored,
// already tokenized inputs. pycocoevalcap ships no test numbers of its own.
type ciderCases struct {
	Corpora []struct {
		Name       string     `json:"name"`
		Cands      []string   `json:"cands"`
		Refs       [][]string `json:"refs"`
		Cider      float64    `json:"cider"`
		PerExample []float64  `json:"per_example"`
	} `json:"corpora"`
}

func TestMatchesPycocoevalcap(t *testing.T) {
	b, err := os.ReadFile("testdata/pycocoevalcap_cider.json")
	if err != nil {
		t.Fatal(err)
	}
	var cc ciderCases
	if err := json.Unmarshal(b, &cc); err != nil {
		t.Fatal(err)
	}
	if len(cc.Corpora) < 5 {
		t.Fatalf("%d corpora", len(cc.Corpora))
	}
	for _, c := range cc.Corpora {
		res, err := Compute(c.Cands, c.Refs, Options{Tokenize: TokenizeNone})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Score-c.Cider) > 1e-9 {
			t.Errorf("%s: CIDEr-D %.12f, pycocoevalcap %.12f", c.Name, res.Score, c.Cider)
		}
		for i := range c.PerExample {
			if math.Abs(res.PerExample[i]-c.PerExample[i]) > 1e-9 {
				t.Errorf("%s example %d: %.12f, pycocoevalcap %.12f", c.Name, i, res.PerExample[i], c.PerExample[i])
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := Compute([]string{"a"}, [][]string{{}}, Options{}); err == nil {
		t.Error("example without references accepted")
	}
	if _, err := Compute([]string{"a", "b"}, [][]string{{"a"}}, Options{}); err == nil {
		t.Error("ragged input accepted")
	}
	if _, err := Compute([]string{"a"}, [][]string{{"a"}}, Options{Tokenize: "moses"}); err == nil {
		t.Error("unknown tokenization accepted")
	}
	res, err := Compute(nil, nil, Options{})
	if err != nil || res.Score != 0 {
		t.Errorf("empty corpus: %+v %v", res, err)
	}
}

// TestThousandsOfExamples: a large corpus where candidates equal their
// first reference scores higher than one with shuffled candidates, and the
// per-example mean is the corpus score.
func TestThousandsOfExamples(t *testing.T) {
	words := strings.Fields("a man woman dog cat on in the red blue table street field ball holding playing")
	n := 1000
	cands, shuffled := make([]string, n), make([]string, n)
	refs := make([][]string, n)
	for i := 0; i < n; i++ {
		var r []string
		for k := 0; k < 3; k++ {
			var w []string
			for j := 0; j < 6+(i+k)%5; j++ {
				w = append(w, words[(i*7+k*3+j*j)%len(words)])
			}
			r = append(r, strings.Join(w, " "))
		}
		refs[i] = r
		cands[i] = r[0]
	}
	for i := range shuffled {
		shuffled[i] = cands[(i+n/2)%n]
	}
	good, err := Compute(cands, refs, Options{Tokenize: TokenizeNone})
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := Compute(shuffled, refs, Options{Tokenize: TokenizeNone})
	if !(good.Score > bad.Score) {
		t.Errorf("matching captions %.4f not above shuffled %.4f", good.Score, bad.Score)
	}
	sum := 0.0
	for _, s := range good.PerExample {
		sum += s
	}
	if math.Abs(sum/float64(n)-good.Score) > 1e-12 {
		t.Errorf("mean %v vs score %v", sum/float64(n), good.Score)
	}
}

// TestPTBTokenize: expected tokenizations follow the rules of CoreNLP's
// PTBLexer.flex (-lowerCase, default PTB3 options, americanize) and
// pycocoevalcap's punctuation list; they were derived from the lexer
// specification, not from running the Java tokenizer (its jar is not
// available here).
func TestPTBTokenize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"A man riding a horse on a beach.", "a man riding a horse on a beach"},
		{"The dog's bone isn't here.", "the dog 's bone is n't here"},
		{"I can't believe it; they cannot!", "i ca n't believe it they can not"},
		{"A black-and-white photo of a T-shirt.", "a black-and-white photo of a t-shirt"},
		{"A grey cat in the centre of the colour photo", "a gray cat in the center of the color photo"},
		{`"Stop" sign (red) [old] {new}`, "stop sign -lrb- red -rrb- -lrb- old -rrb- -lcb- new -rcb-"},
		{"It costs $5.50, about 1,000 yen... wow!!", "it costs $ 5.50 about 1,000 yen wow !!"},
		{"and/or 1/2 ½ 12/25/2014", `and\/or 1\/2 1\/2 12\/25\/2014`},
		{"U.S. flag", "u.s. flag"},
		{"Mr. Smith at St. Mark's", "mr. smith at st. mark 's"},
		{"o'clock rock 'n' roll", "o'clock rock 'n' roll"},
		{"a 3.5-inch screen", "a 3.5-inch screen"},
		{"e-mail foo@bar.com or visit www.example.org", "e-mail foo@bar.com or visit www.example.org"},
		{"The dogs' toys -- all 3 of them - are here", "the dogs toys all 3 of them are here"},
		{"naïve café ÀÉÎ", "naïve café àéî"},
		{"I'm sure we'll see they're fine", "i 'm sure we 'll see they 're fine"},
		{"don’t “quoted” text", "do n't quoted text"},
		{"a cat 😀 sleeping", "a cat sleeping"},
		{"line one\nline two", "line one line two"},
		{"dogs,3 cats at 10:30", "dogs ,3 cats at 10:30"},
		{"AT&T store, I.B.M. and the letter a.", "at&t store i.b.m. and the letter a."},
		{"", ""},
	}
	for _, c := range cases {
		if got := PTBTokenize(c.in); got != c.want {
			t.Errorf("PTBTokenize(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestPTBNeverPanics runs the tokenizer over many random strings drawn
// from letters, digits, punctuation, quotes, symbols and non-ASCII text.
func TestPTBNeverPanics(t *testing.T) {
	alphabet := []rune("aZ09 .,;:!?'\"`-_/\\()[]{}<>&$#@*+=%~^|\t\u00a0\u2019\u201c\u2026\u2014é中😀½£")
	state := uint64(1)
	for i := 0; i < 500; i++ {
		n := int(state>>59) + 1
		rs := make([]rune, n)
		for j := range rs {
			state = state*6364136223846793005 + 1442695040888963407
			rs[j] = alphabet[(state>>33)%uint64(len(alphabet))]
		}
		for _, tok := range strings.Split(PTBTokenize(string(rs)), " ") {
			if strings.TrimSpace(tok) != tok {
				t.Fatalf("%q: token %q has surrounding space", string(rs), tok)
			}
		}
	}
}

func TestPTBInCIDEr(t *testing.T) {
	refs := [][]string{{"A dog runs on the grass.", "A brown dog, running!"}, {"Two cats sleep.", "Cats on a sofa"}, {"A red bus.", "A bus (red) on a street"}}
	tokRefs := make([][]string, len(refs))
	for i, rs := range refs {
		for _, r := range rs {
			tokRefs[i] = append(tokRefs[i], PTBTokenize(r))
		}
	}
	cands := []string{"A dog running on grass!", "Two cats, sleeping.", "A red bus on the street."}
	tokCands := make([]string, len(cands))
	for i, c := range cands {
		tokCands[i] = PTBTokenize(c)
	}
	a, err := Compute(cands, refs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Compute(tokCands, tokRefs, Options{Tokenize: TokenizeNone})
	if a.Score != b.Score || a.Score <= 0 {
		t.Errorf("ptb %v vs pre-tokenized %v", a.Score, b.Score)
	}
}

func BenchmarkPTBTokenize(b *testing.B) {
	caps := make([]string, 1000)
	for i := range caps {
		caps[i] = fmt.Sprintf("A man in a red shirt, holding %d surfboards, stands on the beach near the water.", i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range caps {
			PTBTokenize(c)
		}
	}
}
