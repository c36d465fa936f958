// Package imagecheck checks that the image of an example can be opened and
// decoded, and reports its size and format. It registers the standard
// library's JPEG, PNG and GIF decoders and golang.org/x/image's BMP, TIFF
// and WebP decoders.
//
// Results for images on disk are cached by path (a bounded LRU), since
// caption data sets often name the same image on several records.
package imagecheck

import (
	"container/list"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"
	"io/fs"
	"sync"

	_ "golang.org/x/image/bmp"  // register BMP
	_ "golang.org/x/image/tiff" // register TIFF
	_ "golang.org/x/image/webp" // register WebP

	"github.com/vlmtune/vlmtune/data"
)

// Info describes an image that decodes.
type Info struct {
	Width, Height int
	// Format is the registered format name: "jpeg", "png", "gif", "bmp",
	// "tiff" or "webp".
	Format string
}

// DefaultCacheSize is the number of on-disk image results a Checker keeps.
const DefaultCacheSize = 4096

// Checker opens and decodes images, caching results for files on disk. It
// is safe for concurrent use.
type Checker struct {
	// Decode makes Check decode the whole image instead of reading the
	// header only with image.DecodeConfig (slower; catches truncated files).
	Decode bool

	mu    sync.Mutex
	size  int
	lru   *list.List // of *entry, most recent first
	byKey map[string]*list.Element
}

type entry struct {
	key  string
	info Info
	err  *Error
}

// Error is a failed image check; Kind is data.KindMissingImage,
// data.KindUnreadable or data.KindUndecodable.
type Error struct {
	Kind string
	Msg  string
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// New returns a Checker that caches up to cacheSize results (0 means
// DefaultCacheSize, negative disables the cache).
func New(decode bool, cacheSize int) *Checker {
	if cacheSize == 0 {
		cacheSize = DefaultCacheSize
	}
	return &Checker{Decode: decode, size: cacheSize, lru: list.New(), byKey: make(map[string]*list.Element)}
}

// Check opens and decodes the image. The error, when not nil, is an *Error
// whose message names the image.
func (c *Checker) Check(ref *data.ImageRef) (Info, error) {
	cacheable := c.size > 0 && ref.IsFile()
	if cacheable {
		c.mu.Lock()
		if el, ok := c.byKey[ref.Path]; ok {
			c.lru.MoveToFront(el)
			e := el.Value.(*entry)
			c.mu.Unlock()
			if e.err != nil {
				return Info{}, e.err
			}
			return e.info, nil
		}
		c.mu.Unlock()
	}
	info, cerr := c.check(ref)
	if cacheable {
		c.mu.Lock()
		if _, ok := c.byKey[ref.Path]; !ok {
			c.byKey[ref.Path] = c.lru.PushFront(&entry{key: ref.Path, info: info, err: cerr})
			if c.lru.Len() > c.size {
				last := c.lru.Back()
				c.lru.Remove(last)
				delete(c.byKey, last.Value.(*entry).key)
			}
		}
		c.mu.Unlock()
	}
	if cerr != nil {
		return Info{}, cerr
	}
	return info, nil
}

func (c *Checker) check(ref *data.ImageRef) (Info, *Error) {
	what := describe(ref)
	rc, err := ref.Open()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Info{}, &Error{data.KindMissingImage, fmt.Sprintf("image %s not found", what)}
		}
		return Info{}, &Error{data.KindUnreadable, fmt.Sprintf("cannot read image %s: %v", what, unwrapPath(err))}
	}
	defer rc.Close()
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.IsDir() {
			return Info{}, &Error{data.KindUnreadable, fmt.Sprintf("cannot read image %s: it is a folder", what)}
		}
	}
	var info Info
	if c.Decode {
		img, format, err := image.Decode(rc)
		if err != nil {
			return Info{}, decodeError(what, err)
		}
		b := img.Bounds()
		info = Info{Width: b.Dx(), Height: b.Dy(), Format: format}
	} else {
		cfg, format, err := image.DecodeConfig(rc)
		if err != nil {
			return Info{}, decodeError(what, err)
		}
		info = Info{Width: cfg.Width, Height: cfg.Height, Format: format}
	}
	if info.Width <= 0 || info.Height <= 0 {
		return Info{}, &Error{data.KindUndecodable, fmt.Sprintf("image %s has size %dx%d", what, info.Width, info.Height)}
	}
	return info, nil
}

func decodeError(what string, err error) *Error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return &Error{data.KindUndecodable, fmt.Sprintf("image %s is not a JPEG, PNG, GIF, BMP, TIFF or WebP file", what)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{data.KindUndecodable, fmt.Sprintf("image %s is truncated", what)}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &Error{data.KindUnreadable, fmt.Sprintf("cannot read image %s: %v", what, pe.Err)}
	}
	return &Error{data.KindUndecodable, fmt.Sprintf("image %s does not decode: %v", what, err)}
}

func describe(ref *data.ImageRef) string {
	switch {
	case ref.InArchive:
		return fmt.Sprintf("%q", ref.Name)
	case ref.Bytes != nil:
		return fmt.Sprintf("%q (%d bytes)", ref.Name, len(ref.Bytes))
	case ref.Name != "" && ref.Name != ref.Path:
		return fmt.Sprintf("%q (%s)", ref.Name, ref.Path)
	}
	return ref.Path
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
