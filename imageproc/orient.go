package imageproc

// Orient returns img transformed so that an image whose EXIF orientation
// tag is o displays upright, as PIL's ImageOps.exif_transpose does:
// 2 mirrors left–right, 3 rotates 180°, 4 mirrors top–bottom, 5 transposes,
// 6 rotates 90° clockwise, 7 transverses and 8 rotates 90° counter-clockwise.
// Orientation 1 and unknown values return img itself.
func Orient(img *RGB, o int) *RGB {
	if o < 2 || o > 8 {
		return img
	}
	w, h := img.W, img.H
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	// Source pixel of output (x, y): sx = ax*x + bx*y + cx, sy = ay*x + by*y + cy.
	var ax, bx, cx, ay, by, cy int
	switch o {
	case 2:
		ax, cx, by = -1, w-1, 1
	case 3:
		ax, cx, by, cy = -1, w-1, -1, h-1
	case 4:
		ax, by, cy = 1, -1, h-1
	case 5:
		bx, ay = 1, 1
	case 6:
		bx, ay, cy = 1, -1, h-1
	case 7:
		bx, cx, ay, cy = -1, w-1, -1, h-1
	case 8:
		bx, cx, ay = -1, w-1, 1
	}
	out := NewRGB(ow, oh)
	for y := range oh {
		row := out.Row(y)
		for x := range ow {
			sx := ax*x + bx*y + cx
			sy := ay*x + by*y + cy
			i := sy*img.Stride + 3*sx
			row[3*x], row[3*x+1], row[3*x+2] = img.Pix[i], img.Pix[i+1], img.Pix[i+2]
		}
	}
	return out
}
