package retrieval

import "testing"

func TestEvaluateMatches(t *testing.T) {
	// Three images; text 0 ("a red circle") describes images 0 and 1,
	// text 1 only image 1, text 2 only image 2.
	sim := [][]float32{
		{0.9, 0.1, 0.5}, // image 0: best text 0 (correct) → rank 1
		{0.2, 0.3, 0.8}, // image 1: texts ranked 2,1,0 → best correct (1) at rank 2
		{0.7, 0.1, 0.6}, // image 2: text 2 ranked second → rank 2
	}
	match := [][]int{{0}, {0, 1}, {2}}
	r, err := EvaluateMatches(sim, match, 3, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ImageToText.Ranks; got[0] != 1 || got[1] != 2 || got[2] != 2 {
		t.Fatalf("image→text ranks %v, want [1 2 2]", got)
	}
	// Text 0: images by score 0 (0.9), 2 (0.7), 1 (0.2) → image 0 matches, rank 1.
	// Text 1: images 1 (0.3), 0 and 2 (0.1) → rank 1. Text 2: images 1
	// (0.8), 2 (0.6), 0 (0.5) → image 2 at rank 2.
	if got := r.TextToImage.Ranks; got[0] != 1 || got[1] != 1 || got[2] != 2 {
		t.Fatalf("text→image ranks %v, want [1 1 2]", got)
	}
	if r.ImageToText.Recall[1] != 100.0/3 {
		t.Fatalf("R@1 %v", r.ImageToText.Recall[1])
	}
	// With one match per image and per text it agrees with Evaluate.
	owner := []int{0, 1, 2}
	a, _ := Evaluate(sim, owner, nil)
	b, _ := EvaluateMatches(sim, [][]int{{0}, {1}, {2}}, 3, nil)
	for i := range a.ImageToText.Ranks {
		if a.ImageToText.Ranks[i] != b.ImageToText.Ranks[i] || a.TextToImage.Ranks[i] != b.TextToImage.Ranks[i] {
			t.Fatal("EvaluateMatches differs from Evaluate on a one-to-one set")
		}
	}
	if _, err := EvaluateMatches(sim, [][]int{{0}, {}, {2}}, 3, nil); err == nil {
		t.Fatal("an image without a matching text was accepted")
	}
}
