package imageproc_test

import (
	"fmt"
	"log"
	"os"

	"github.com/vlmtune/vlmtune/imageproc"
)

// Turning an image file into CLIP pixel values, as transformers'
// CLIPImageProcessor would, and augmenting a training copy of it.
func Example() {
	p, err := imageproc.ParseProcessor([]byte(`{
		"image_processor_type": "CLIPImageProcessor",
		"size": {"shortest_edge": 32},
		"crop_size": {"height": 32, "width": 32}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile("testdata/dec_420.jpg")
	if err != nil {
		log.Fatal(err)
	}
	w, h := p.OutputSize(29, 21)
	pixels := make([]float32, 3*w*h) // one [3, H, W] slot of a batch
	if err := p.ProcessBytes(pixels, "dec_420.jpg", data); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("pixel values: [3, %d, %d]\n", h, w)

	aug := &imageproc.Augment{
		RandomResizedCrop: &imageproc.RandomResizedCrop{Size: 32},
		HorizontalFlip:    0.5,
		ColorJitter:       &imageproc.ColorJitter{Brightness: 0.4, Contrast: 0.4, Saturation: 0.4, Hue: 0.1},
	}
	if err := aug.Validate(); err != nil {
		log.Fatal(err)
	}
	img, err := imageproc.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	// The same (seed, epoch, index) always gives the same augmentation.
	rng := imageproc.NewRNG(42, 0, 7)
	if err := aug.ProcessInto(p, pixels, img, rng); err != nil {
		log.Fatal(err)
	}
	fmt.Println("augmented:", len(pixels), "floats")
	// Output:
	// pixel values: [3, 32, 32]
	// augmented: 3072 floats
}
