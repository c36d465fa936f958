// Package imageproc turns image files into model inputs: it decodes JPEG,
// PNG, GIF, BMP, TIFF and WebP, applies the EXIF orientation, converts every
// colour model to 8-bit RGB the way PIL's convert("RGB") does, runs the
// Hugging Face image processors (CLIPImageProcessor, SiglipImageProcessor and
// the fixed-size processors of BLIP and ViT) read from preprocessor_config.json,
// and applies seeded data augmentations.
//
// Pixels flow through three types:
//
//   - *RGB: an 8-bit, packed, row-major H×W×3 image (it implements image.Image);
//   - []float32 in CHW order ([3, H, W]), normalized, ready to be copied into
//     a batch of pixel values [B, 3, H, W];
//   - the augmentation configuration (Augment), applied between the two.
//
// Resizing reproduces Pillow's separable resampler bit for bit on 8-bit
// images (the same filters, the same support scaled by the downscale factor,
// the same 22-bit fixed-point coefficients, rounding and clipping, and the
// same 8-bit intermediate between the horizontal and the vertical pass), so
// a Processor matches transformers' PIL-based preprocessing exactly on the
// same RGB input. Decoding matches PIL too: JPEGs go through an exact port
// of libjpeg-turbo's default path (internal/jpegdec: Huffman and
// progressive decoding, the "islow" integer IDCT; then libjpeg's fancy
// chroma upsampling and integer YCbCr→RGB tables here), lossy WebP through
// libwebp's fancy upsampling and limited-range conversion; the rare JPEGs
// jpegdec does not take (CMYK, arithmetic-coded, ...) fall back to
// image/jpeg, whose IDCT differs from libjpeg's by a level or so.
//
// Randomness never comes from a global source: every random choice is drawn
// from a *rand.Rand that the caller derives with NewRNG(seed, epoch, index),
// so results depend on the example and not on which worker processed it.
package imageproc
