package imageproc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// readSafetensor returns the raw bytes, dtype and shape of one tensor of a
// safetensors file (8-byte little-endian header length, JSON header, data).
func readSafetensor(t *testing.T, path, name string) ([]byte, string, []int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(data)
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	var info struct {
		Dtype       string
		Shape       []int
		DataOffsets [2]int `json:"data_offsets"`
	}
	raw, ok := header[name]
	if !ok {
		t.Fatalf("%s has no tensor %s", path, name)
	}
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatal(err)
	}
	body := data[8+n:]
	return body[info.DataOffsets[0]:info.DataOffsets[1]], info.Dtype, info.Shape
}

// TestCLIPTinyFixture holds the CLIP processor against transformers 4.44's
// CLIPImageProcessor output stored in the shared hf-parity fixture
// (shortest edge 32, crop 32×32, on a 40×56 RGB image).
func TestCLIPTinyFixture(t *testing.T) {
	dir := testutil.Fixture(t, "hf-parity", "clip_tiny")
	p, err := LoadProcessor(filepath.Join(dir, "preprocessor_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(dir, "reference.safetensors")
	pix, dtype, shape := readSafetensor(t, ref, "preprocess_input_image_hwc_uint8")
	if dtype != "U8" || len(shape) != 3 || shape[2] != 3 {
		t.Fatalf("input image: dtype %s shape %v", dtype, shape)
	}
	img := &RGB{Pix: pix, Stride: 3 * shape[1], W: shape[1], H: shape[0]}
	raw, dtype, shape := readSafetensor(t, ref, "preprocess_pixel_values")
	if dtype != "F32" || len(shape) != 4 {
		t.Fatalf("pixel values: dtype %s shape %v", dtype, shape)
	}
	want := make([]float32, len(raw)/4)
	for i := range want {
		want[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	if w, h := p.OutputSize(img.W, img.H); 3*w*h != len(want) {
		t.Fatalf("output %dx%d, fixture shape %v", w, h, shape)
	}
	got, err := p.Process(img)
	if err != nil {
		t.Fatal(err)
	}
	maxDiff := 0.0
	for i := range got {
		maxDiff = math.Max(maxDiff, math.Abs(float64(got[i]-want[i])))
	}
	t.Logf("max abs difference from transformers' pixel_values: %g", maxDiff)
	if maxDiff != 0 {
		t.Errorf("max abs difference %g, want 0 (same float32 arithmetic)", maxDiff)
	}
}

func TestResizeSize(t *testing.T) {
	clip, _ := NewCLIPProcessor(ProcessorConfig{})
	sig, _ := NewSiglipProcessor(ProcessorConfig{})
	cases := []struct {
		p            *Processor
		w, h, rw, rh int
	}{
		{clip, 640, 480, 298, 224}, // int(224*640/480) = int(298.67)
		{clip, 480, 640, 224, 298},
		{clip, 56, 40, 313, 224},
		{clip, 224, 224, 224, 224},
		{clip, 1000, 3, 74666, 224},
		{sig, 640, 480, 224, 224},
	}
	for _, c := range cases {
		if rw, rh := c.p.ResizeSize(c.w, c.h); rw != c.rw || rh != c.rh {
			t.Errorf("%s ResizeSize(%d, %d) = %d, %d, want %d, %d", c.p.Type, c.w, c.h, rw, rh, c.rw, c.rh)
		}
	}
}

func TestParseProcessorErrors(t *testing.T) {
	cases := []struct{ cfg, want string }{
		{`{`, "invalid preprocessor config JSON"},
		{`{"do_resize": true}`, "no image_processor_type"},
		{`{"image_processor_type": "LlavaNextImageProcessor"}`, "not supported"},
		{`{"image_processor_type": "CLIPImageProcessor", "size": {"longest_edge": 3}}`, `key "longest_edge"`},
		{`{"image_processor_type": "CLIPImageProcessor", "size": {"height": 3}}`, "needs both height and width"},
		{`{"image_processor_type": "SiglipImageProcessor", "size": {"shortest_edge": 3}}`, "needs {\"height\""},
		{`{"image_processor_type": "CLIPImageProcessor", "image_std": [1, 0, 1]}`, "image_std[1] must be positive"},
		{`{"image_processor_type": "CLIPImageProcessor", "image_mean": [1, 2]}`, "list of 3 numbers"},
		{`{"image_processor_type": "CLIPImageProcessor", "resample": 7}`, "resample 7 is not a PIL filter"},
		{`{"image_processor_type": "CLIPImageProcessor", "crop_size": 0}`, "crop_size must be positive"},
	}
	for _, c := range cases {
		_, err := ParseProcessor([]byte(c.cfg))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseProcessor(%s) error %v, want it to mention %q", c.cfg, err, c.want)
		}
	}
}

func TestParseProcessorForms(t *testing.T) {
	// The legacy form of openai/clip-vit-base-patch32's config.
	p, err := ParseProcessor([]byte(`{"feature_extractor_type": "CLIPFeatureExtractor", "size": 224, "crop_size": 224, "do_center_crop": true, "image_mean": 0.5, "image_std": [0.5, 0.5, 0.5], "resample": 3}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.ShortestEdge != 224 || p.CropHeight != 224 || p.CropWidth != 224 || p.Mean != [3]float64{0.5, 0.5, 0.5} {
		t.Errorf("legacy CLIP config parsed as %+v", p)
	}
	p, err = ParseProcessor([]byte(`{"image_processor_type": "BlipImageProcessor"}`))
	if err != nil || p.Height != 384 || p.Width != 384 || p.DoCenterCrop {
		t.Errorf("BLIP defaults: %+v, %v", p, err)
	}
	p, err = ParseProcessor([]byte(`{"image_processor_type": "SiglipImageProcessor", "size": null}`))
	if err != nil || p.Height != 224 || p.Resample != Bicubic || p.Mean != ImageNetStandardMean {
		t.Errorf("SigLIP defaults: %+v, %v", p, err)
	}
}

// TestCenterCropPadding checks transformers' padding when the resized
// image is smaller than the crop: the image sits at ceil((c−r)/2) and the
// padding is black before rescaling.
func TestCenterCropPadding(t *testing.T) {
	p, err := ParseProcessor([]byte(`{"image_processor_type": "CLIPImageProcessor", "do_resize": false, "crop_size": {"height": 4, "width": 5}}`))
	if err != nil {
		t.Fatal(err)
	}
	img := NewRGB(2, 6) // crop rows 1..4 of 6, pad columns: 5−2 = 3 → left pad 2
	for i := range img.Pix {
		img.Pix[i] = uint8(10 + i/3)
	}
	out, err := p.Prepare(img)
	if err != nil {
		t.Fatal(err)
	}
	for y := range 4 {
		for x := range 5 {
			want := uint8(0)
			if x == 2 || x == 3 {
				want = uint8(10 + (y+1)*2 + (x - 2))
			}
			if got := out.Pix[3*(y*5+x)]; got != want {
				t.Errorf("pixel (%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
	chw, err := p.Process(img)
	if err != nil {
		t.Fatal(err)
	}
	if want := float32((0 - float32(OpenAICLIPMean[0])) / float32(OpenAICLIPStd[0])); chw[0] != want {
		t.Errorf("padding normalizes to %v, want %v", chw[0], want)
	}
}

// TestProcessBytesMatchesDecode checks that the fused JPEG/WebP path gives
// exactly what decoding to RGB and then processing gives.
func TestProcessBytesMatchesDecode(t *testing.T) {
	procs := map[string]string{
		"clip-crop":    `{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 16}, "crop_size": {"height": 12, "width": 14}}`,
		"clip-up":      `{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 40}, "crop_size": 36}`,
		"siglip":       `{"image_processor_type": "SiglipImageProcessor", "size": {"height": 20, "width": 9}}`,
		"clip-nocrop":  `{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 15}, "do_center_crop": false}`,
		"clip-nearest": `{"image_processor_type": "CLIPImageProcessor", "size": {"shortest_edge": 16}, "resample": 0}`,
	}
	files := []string{"dec_420.jpg", "dec_422.jpg", "dec_444.jpg", "dec_prog.jpg", "dec_gray.jpg", "dec_cmyk.jpg",
		"dec_tiny.jpg", "dec_lossy.webp", "dec_lossy_odd.webp", "dec_alpha.webp", "exif_6.jpg", "dec_rgba.png"}
	for pname, cfg := range procs {
		p, err := ParseProcessor([]byte(cfg))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data := mustRead(t, f)
			img, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			want, err := p.Process(img)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]float32, len(want))
			if err := p.ProcessBytes(got, f, data); err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s %s: element %d = %v, want %v", pname, f, i, got[i], want[i])
					break
				}
			}
		}
	}
}

func TestProcessIntoDoesNotAllocate(t *testing.T) {
	p, err := NewCLIPProcessor(ProcessorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	img := ToRGB(syntheticPhoto(320, 240, 3))
	dst := make([]float32, 3*224*224)
	if err := p.ProcessInto(dst, img); err != nil { // warm the scratch pool
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _ = p.ProcessInto(dst, img) }); n > 0 {
		t.Errorf("ProcessInto allocates %v times per call in steady state", n)
	}
	if err := p.ProcessInto(dst[:10], img); err == nil || !strings.Contains(err.Error(), "destination holds 10 floats") {
		t.Errorf("short destination: error %v", err)
	}
	if _, err := p.Process(&RGB{}); err == nil {
		t.Error("empty image: no error")
	}
}

// TestProcessBytesJPEGStdlib checks the fused path on a JPEG written by Go
// (4:2:0, odd size) against Decode + Process.
func TestProcessBytesJPEGStdlib(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, syntheticPhoto(101, 77, 5), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	p, _ := NewCLIPProcessor(ProcessorConfig{})
	img, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := p.Process(img)
	got := make([]float32, len(want))
	if err := p.ProcessBytes(got, "x.jpg", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("element %d = %v, want %v", i, got[i], want[i])
		}
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	if err := p.ProcessBytes(got, "g.png", pngBuf.Bytes()); err != nil {
		t.Fatal(err)
	}
}
