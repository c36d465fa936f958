package imageproc

import (
	"image"
	"image/color"
)

// restoreGIFTransparent puts back the stored colour of the first frame's
// transparent palette entry, which image/gif replaces with transparent
// black. PIL keeps the palette colour and convert("RGB") shows it, so
// vlmtune does the same. Malformed files are left as decoded.
func restoreGIFTransparent(data []byte, m *image.Paletted) {
	if len(data) < 13 {
		return
	}
	table := func(packed byte) int { return 3 << ((packed & 7) + 1) }
	i := 13
	var global []byte
	if data[10]&0x80 != 0 {
		n := table(data[10])
		if i+n > len(data) {
			return
		}
		global = data[i : i+n]
		i += n
	}
	transparent := -1
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension
			if i+2 > len(data) {
				return
			}
			label := data[i+1]
			i += 2
			if label == 0xF9 && i+5 <= len(data) && data[i] == 4 && data[i+1]&1 != 0 {
				transparent = int(data[i+4])
			}
			for i < len(data) && data[i] != 0 { // sub-blocks
				i += int(data[i]) + 1
			}
			i++
		case 0x2C: // image descriptor: the first frame
			if i+10 > len(data) || transparent < 0 {
				return
			}
			pal := global
			if packed := data[i+9]; packed&0x80 != 0 {
				n := table(packed)
				if i+10+n > len(data) {
					return
				}
				pal = data[i+10 : i+10+n]
			}
			if 3*transparent+3 <= len(pal) && transparent < len(m.Palette) {
				p := pal[3*transparent:]
				m.Palette[transparent] = color.NRGBA{p[0], p[1], p[2], 0}
			}
			return
		default:
			return
		}
	}
}
