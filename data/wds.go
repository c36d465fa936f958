package data

import (
	"archive/tar"
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"strings"
)

// ImageExtensions are the member (and file) extensions taken as images in
// webdataset shards.
var ImageExtensions = map[string]bool{"jpg": true, "jpeg": true, "png": true, "webp": true, "bmp": true, "tif": true, "tiff": true, "gif": true}

// wdsSource streams a webdataset shard: consecutive members with the same
// key (the member path up to the first dot of its base name) form a sample.
type wdsSource struct {
	f     *os.File
	cr    *countingReader
	tr    *tar.Reader
	path  string
	opts  *Options
	group *wdsGroup
	out   []wdsItem
	done  bool
}

type wdsItem struct {
	ex  *Example
	err error
}

type wdsMember struct {
	name         string
	ext          string
	data         []byte
	offset, size int64
}

type wdsGroup struct {
	key     string
	members []wdsMember
}

func openWDS(p string, opts *Options) (source, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: bufio.NewReaderSize(f, 256<<10)}
	return &wdsSource{f: f, cr: cr, tr: tar.NewReader(cr), path: p, opts: opts}, nil
}

// splitKey splits a member name as webdataset does: "dir/000123.seg.png"
// gives key "dir/000123" and extension "seg.png".
func splitKey(name string) (key, ext string, ok bool) {
	dir, base := path.Split(name)
	i := strings.IndexByte(base, '.')
	if i <= 0 || i == len(base)-1 {
		return "", "", false
	}
	return dir + base[:i], strings.ToLower(base[i+1:]), true
}

func (s *wdsSource) next() (*Example, error) {
	for len(s.out) == 0 {
		if s.done {
			return nil, io.EOF
		}
		s.readMember()
	}
	it := s.out[0]
	s.out = s.out[1:]
	return it.ex, it.err
}

// readMember reads one tar entry, completing a sample when the key changes.
func (s *wdsSource) readMember() {
	h, err := s.tr.Next()
	if err == io.EOF {
		s.flush()
		s.done = true
		return
	}
	if err != nil {
		s.flush()
		s.done = true
		s.out = append(s.out, wdsItem{err: recErr(Origin{File: s.path, Member: "(after the last good member)"}, KindBadRecord, "broken tar archive: %v; the rest of the shard cannot be read", err)})
		return
	}
	switch h.Typeflag {
	case tar.TypeReg:
	case tar.TypeDir:
		return
	default:
		s.flush()
		s.out = append(s.out, wdsItem{err: recErr(Origin{File: s.path, Member: h.Name}, KindBadRecord, "member is not a regular file (tar type %q); webdataset members must be plain files", h.Typeflag)})
		return
	}
	key, ext, ok := splitKey(h.Name)
	if !ok {
		s.flush()
		s.out = append(s.out, wdsItem{err: recErr(Origin{File: s.path, Member: h.Name}, KindBadRecord, "member name has no key.extension form (such as 000123.jpg)")})
		return
	}
	if s.group != nil && s.group.key != key {
		s.flush()
	}
	if s.group == nil {
		s.group = &wdsGroup{key: key}
	}
	m := wdsMember{name: h.Name, ext: ext, offset: s.cr.n, size: h.Size}
	if h.Size > int64(s.opts.maxRecord()) {
		m.data = nil
		m.size = -1 // too large, reported when the sample is built
	} else if !(s.opts.LazyImages && ImageExtensions[ext]) {
		m.data = make([]byte, h.Size)
		if _, err := io.ReadFull(s.tr, m.data); err != nil {
			s.out = append(s.out, wdsItem{err: recErr(Origin{File: s.path, Member: h.Name}, KindUnreadable, "cannot read member: %v", err)})
			m.size = -2
		}
	}
	s.group.members = append(s.group.members, m)
}

// flush turns the current group into an example or a record error.
func (s *wdsSource) flush() {
	g := s.group
	s.group = nil
	if g == nil {
		return
	}
	ex, err := s.build(g)
	if ex == nil && err == nil {
		return // a member of the sample was already reported
	}
	s.out = append(s.out, wdsItem{ex: ex, err: err})
}

func (s *wdsSource) build(g *wdsGroup) (*Example, error) {
	o := Origin{File: s.path, Member: g.members[0].name}
	ex := &Example{ID: g.key, Kind: Pair}
	var img *wdsMember
	var haveText bool
	for i := range g.members {
		m := &g.members[i]
		mo := Origin{File: s.path, Member: m.name}
		switch {
		case m.size == -2:
			return nil, nil // already reported
		case m.size == -1:
			return nil, recErr(mo, KindBadRecord, "member is larger than %d bytes", s.opts.maxRecord())
		case ImageExtensions[m.ext]:
			if img != nil {
				return nil, recErr(mo, KindBadRecord, "sample %q has two images (%s and %s); one image per sample is supported", g.key, img.name, m.name)
			}
			img = m
		case m.ext == "txt" || m.ext == "caption" || m.ext == "text":
			if j := invalidUTF8At(m.data); j >= 0 {
				return nil, recErr(mo, KindInvalidUTF8, "invalid UTF-8 at byte %d of the caption; re-encode it as UTF-8", j+1)
			}
			ex.Captions = append(ex.Captions, strings.TrimRight(string(m.data), "\r\n"))
			haveText = true
		case m.ext == "json":
			caps, err := s.parseJSONMember(m, mo, &ex.Meta)
			if err != nil {
				return nil, err
			}
			if !haveText {
				ex.Captions = append(ex.Captions, caps...)
			}
		}
	}
	if img == nil {
		return nil, recErr(o, KindMissingImage, "sample %q has no image member (.jpg, .jpeg, .png, .webp)", g.key)
	}
	ex.Origin = Origin{File: s.path, Member: img.name}
	ex.Image = &ImageRef{Name: img.name, Path: s.path, Bytes: img.data, Offset: img.offset, Size: img.size, InArchive: true}
	return ex, nil
}

// parseJSONMember reads captions and metadata from a .json member: captions
// from "caption", "captions" or "text"; metadata from a "metadata" object,
// or else from the top-level fields.
func (s *wdsSource) parseJSONMember(m *wdsMember, o Origin, meta *Metadata) ([]string, error) {
	if j := invalidUTF8At(m.data); j >= 0 {
		return nil, recErr(o, KindInvalidUTF8, "invalid UTF-8 at byte %d; re-encode it as UTF-8", j+1)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m.data, &fields); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, recErr(o, KindBadRecord, "member must hold a JSON object, got %s", jsonType(m.data))
		}
		return nil, recErr(o, KindMalformedJSON, "malformed JSON: %s", describeJSONError(err, m.data))
	}
	var caps []string
	for _, k := range []string{"caption", "text"} {
		if v, ok := fields[k]; ok && !isAbsent(v) {
			c, err := stringField(v, k, true)
			if err != nil {
				return nil, recErr(o, KindBadRecord, "%v", err)
			}
			caps = append(caps, c)
			break
		}
	}
	if v, ok := fields["captions"]; ok && !isAbsent(v) {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			return nil, recErr(o, KindBadRecord, `field "captions" must be an array of strings`)
		}
		caps = append(caps, list...)
	}
	if md, ok := fields["metadata"]; ok {
		if err := parseMetadata(md, meta); err != nil {
			return nil, recErr(o, KindBadMetadata, "%v", err)
		}
		return caps, nil
	}
	rest := make(map[string]json.RawMessage)
	for k, v := range fields {
		if k != "caption" && k != "captions" && k != "text" {
			rest[k] = v
		}
	}
	b, _ := json.Marshal(rest)
	if err := parseMetadata(b, meta); err != nil {
		return nil, recErr(o, KindBadMetadata, "%v", err)
	}
	return caps, nil
}

func (s *wdsSource) close() error { return s.f.Close() }
