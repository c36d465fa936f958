package validate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/data"
)

// wordCounter counts whitespace-separated words, with a fixed limit.
type wordCounter int

func (w wordCounter) CountTokens(s string) int { return len(strings.Fields(s)) }
func (w wordCounter) MaxTokens() int           { return int(w) }

type wantProblem struct {
	line    int
	kind    string
	warning bool
	msg     string
}

// TestBadFile runs the checks over testdata/bad.jsonl, which has one record
// per problem kind (see the comments beside each line below).
func TestBadFile(t *testing.T) {
	path := filepath.Join("testdata", "bad.jsonl")
	for _, decode := range []bool{false, true} {
		c := New(Options{Decode: decode, Tokens: wordCounter(6), Duplicates: true})
		var got []*data.RecordError
		sum, err := Run(context.Background(), []string{path}, data.Options{}, c, func(p *data.RecordError) { got = append(got, p) })
		if err != nil {
			t.Fatal(err)
		}
		want := []wantProblem{
			{2, data.KindMalformedJSON, false, "malformed JSON: invalid character '\"' after object key:value pair at column 55"},
			{3, data.KindMissingImage, false, `image "images/missing.png" (`},
			{4, data.KindUnreadable, false, `cannot read image "images/dir.png"`},
			{5, data.KindUndecodable, false, `image "images/corrupt.jpg" (` + mustAbs(t, "testdata/images/corrupt.jpg") + `) is not a JPEG, PNG, GIF, BMP, TIFF or WebP file`},
			{6, data.KindEmptyCaption, false, "caption is empty"},
			{7, data.KindTooManyTokens, true, "caption has 8 tokens, the limit is 6: 2 would be truncated"},
			{8, data.KindMissingTag, false, "record has an image but no <image> tag"},
			{9, data.KindTagNoImage, false, `conversation has 1 <image> tag(s) but the record has no "image"`},
			{10, data.KindBadMetadata, false, `field "metadata.quality_score" must be a number, got string "0.9"`},
			{11, data.KindDuplicate, true, "same image and text as testdata/bad.jsonl:1"},
			{12, data.KindInvalidUTF8, false, "invalid UTF-8 at byte 51 of the record"},
			{14, data.KindBadTurns, false, `conversations[1] is from "human", expected a gpt turn`},
			{15, data.KindBadPath, false, `image path "../outside.png" escapes the image root`},
		}
		if decode {
			// Only a full decode finds the cut pixel data.
			want = append(want[:11], append([]wantProblem{{13, data.KindUndecodable, false, `image "images/truncated.png" (`}}, want[11:]...)...)
		}
		if len(got) != len(want) {
			for _, g := range got {
				t.Log(g)
			}
			t.Fatalf("decode=%v: got %d problems, want %d", decode, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.File != path || g.Line != w.line || g.Kind != w.kind || g.Warning != w.warning || !strings.Contains(g.Msg, w.msg) {
				t.Errorf("decode=%v problem %d = %v (warning=%v); want line %d %s %q", decode, i, g, g.Warning, w.line, w.kind, w.msg)
			}
		}
		wantErrors := len(want) - 2
		if sum.Records != 15 || sum.Errors != wantErrors || sum.Warnings != 2 || sum.Invalid != wantErrors || sum.Valid != 15-wantErrors {
			t.Errorf("decode=%v summary %+v", decode, sum)
		}
		if sum.ByKind[data.KindDuplicate] != 1 || sum.ByKind[data.KindMissingImage] != 1 {
			t.Errorf("by kind %v", sum.ByKind)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestConversationChecks(t *testing.T) {
	img := &data.ImageRef{Name: "x", Path: mustAbs(t, "testdata/images/good.png")}
	turns := func(ts ...string) []data.Turn {
		var out []data.Turn
		for i := 0; i+1 < len(ts); i += 2 {
			out = append(out, data.Turn{From: ts[i], Value: ts[i+1]})
		}
		return out
	}
	cases := []struct {
		name  string
		image *data.ImageRef
		turns []data.Turn
		kinds []string
	}{
		{"good", img, turns("human", "<image>\nhi", "gpt", "hello"), nil},
		{"system first", img, turns("system", "be nice", "user", "<image>\nhi", "assistant", "hello"), nil},
		{"text only", nil, turns("human", "hi", "gpt", "hello"), nil},
		{"no turns", img, nil, []string{data.KindBadTurns}},
		{"gpt first", img, turns("gpt", "<image>", "human", "x"), []string{data.KindBadTurns}},
		{"no answer", img, turns("human", "<image>\nhi"), []string{data.KindBadTurns}},
		{"two tags", img, turns("human", "<image><image>", "gpt", "x"), []string{data.KindTagNoImage}},
		{"empty answer", nil, turns("human", "q", "gpt", " "), []string{data.KindEmptyCaption}},
		{"too long", nil, turns("human", "a b c", "gpt", "d e f"), []string{data.KindTooManyTokens}},
	}
	for _, c := range cases {
		ch := New(Options{Tokens: wordCounter(5)})
		res := ch.Check(&data.Example{Kind: data.Conversation, Image: c.image, Turns: c.turns})
		var kinds []string
		for _, p := range res.Problems {
			kinds = append(kinds, p.Kind)
		}
		if strings.Join(kinds, ",") != strings.Join(c.kinds, ",") {
			t.Errorf("%s: problems %v, want %v", c.name, res.Problems, c.kinds)
		}
	}
}

func TestCheckErrIgnoresWarnings(t *testing.T) {
	c := New(Options{Tokens: wordCounter(1), Duplicates: true})
	ex := &data.Example{Kind: data.Pair, Image: &data.ImageRef{Name: "g", Path: mustAbs(t, "testdata/images/good.png")}, Captions: []string{"two words"}}
	if err := c.CheckErr(ex); err != nil {
		t.Errorf("warning returned as error: %v", err)
	}
	if err := c.CheckErr(ex); err != nil {
		t.Errorf("duplicate returned as error: %v", err)
	}
	ex.Captions = []string{""}
	if err := c.CheckErr(ex); err == nil || !data.IsRecordError(err) {
		t.Errorf("empty caption: %v", err)
	}
}
