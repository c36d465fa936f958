package retrieval

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"
)

// testdata/blip_itm_eval.json: Recall@1/5/10 from itm_eval of
// salesforce/BLIP train_retrieval.py (commit
// 470b41e36677c818431b1d731ff2ee7dae4bd82c) and mean/median rank as
// fartashf/vsepp evaluation.py defines them, run with numpy 1.24.2 and
// Debian python3 3.11 on random float32 similarity matrices without ties
// (1 to 5 texts per image, texts shuffled).
type itmCases struct {
	Cases []struct {
		Owner    []int              `json:"owner"`
		Sim      [][]float64        `json:"sim"`
		Expected map[string]float64 `json:"expected"`
	} `json:"cases"`
}

func TestMatchesBLIPItmEval(t *testing.T) {
	b, err := os.ReadFile("testdata/blip_itm_eval.json")
	if err != nil {
		t.Fatal(err)
	}
	var c itmCases
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Cases) < 4 {
		t.Fatalf("%d cases", len(c.Cases))
	}
	for n, cs := range c.Cases {
		sim := make([][]float32, len(cs.Sim))
		for i, row := range cs.Sim {
			sim[i] = make([]float32, len(row))
			for j, v := range row {
				sim[i][j] = float32(v)
			}
		}
		res, err := Evaluate(sim, cs.Owner, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := cs.Expected
		got := map[string]float64{
			"txt_r1": res.ImageToText.Recall[1], "txt_r5": res.ImageToText.Recall[5], "txt_r10": res.ImageToText.Recall[10],
			"img_r1": res.TextToImage.Recall[1], "img_r5": res.TextToImage.Recall[5], "img_r10": res.TextToImage.Recall[10],
			"i2t_medr": res.ImageToText.MedianRank, "i2t_meanr": res.ImageToText.MeanRank,
			"t2i_medr": res.TextToImage.MedianRank, "t2i_meanr": res.TextToImage.MeanRank,
		}
		for k, want := range e {
			if math.Abs(got[k]-want) > 1e-9 {
				t.Errorf("case %d %s: %.10f, reference %.10f", n, k, got[k], want)
			}
		}
	}
}

func TestSmallHandExample(t *testing.T) {
	// Two images, three texts: texts 0,1 belong to image 0, text 2 to image 1.
	sim := [][]float32{
		{0.1, 0.9, 0.5},
		{0.8, 0.2, 0.3},
	}
	res, err := Evaluate(sim, []int{0, 0, 1}, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	// Image 0: text 1 is ranked first. Image 1: texts by score 0,2,1 -> rank 2.
	if !reflect.DeepEqual(res.ImageToText.Ranks, []int{1, 2}) {
		t.Errorf("i2t ranks %v", res.ImageToText.Ranks)
	}
	// Text 0: images 1 (0.8) then 0 -> rank 2; text 1: image 0 first; text 2: image 0 (0.5) > image 1 (0.3) -> rank 2.
	if !reflect.DeepEqual(res.TextToImage.Ranks, []int{2, 1, 2}) {
		t.Errorf("t2i ranks %v", res.TextToImage.Ranks)
	}
	if res.ImageToText.Recall[1] != 50 || res.ImageToText.Recall[2] != 100 || res.TextToImage.MeanRank != 5.0/3 {
		t.Errorf("%+v", res)
	}
	// Ties: equal scores rank by index.
	tie, _ := Evaluate([][]float32{{1, 1}, {1, 1}}, []int{0, 1}, nil)
	if !reflect.DeepEqual(tie.TextToImage.Ranks, []int{1, 2}) {
		t.Errorf("tie ranks %v", tie.TextToImage.Ranks)
	}
}

func TestErrors(t *testing.T) {
	bad := []struct {
		sim   [][]float32
		owner []int
		ks    []int
	}{
		{nil, nil, nil},
		{[][]float32{{1}}, []int{1}, nil},
		{[][]float32{{1, 2}}, []int{0}, nil},
		{[][]float32{{1}, {2}}, []int{0}, nil},
		{[][]float32{{float32(math.NaN())}}, []int{0}, nil},
		{[][]float32{{1}}, []int{0}, []int{0}},
	}
	for i, b := range bad {
		if _, err := Evaluate(b.sim, b.owner, b.ks); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

// TestThousandsOfTexts: 300 images with 5 captions each (1500 texts); similarities favour
// the true image, so every recall is 100 and every rank is 1.
func TestThousandsOfTexts(t *testing.T) {
	nImg, per := 300, 5
	owner := make([]int, nImg*per)
	for t := range owner {
		owner[t] = (t * 7) % nImg // interleaved owners
	}
	sim := make([][]float32, nImg)
	for i := range sim {
		sim[i] = make([]float32, len(owner))
		for t, o := range owner {
			sim[i][t] = float32((i*31+t*17)%97) / 1000
			if o == i {
				sim[i][t] += 1
			}
		}
	}
	res, err := Evaluate(sim, owner, []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if res.ImageToText.Recall[1] != 100 || res.TextToImage.Recall[1] != 100 || res.TextToImage.MeanRank != 1 || res.ImageToText.MedianRank != 1 {
		t.Errorf("%+v %+v", res.ImageToText.Recall, res.TextToImage.Recall)
	}
}
