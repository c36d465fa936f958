package sample

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vlmtune/vlmtune/data"
)

// LoadEmbeddings reads one embedding per example and returns them indexed
// like examples (nil where the file has none). Formats, by extension:
//
//   - .npy: a 2-D little-endian float32 or float64 C-order array; row r is
//     the record with Example.Index r;
//   - .safetensors: a 2-D F32, F64, F16 or BF16 tensor (the one named
//     tensor, or the only one), rows as for .npy;
//   - .jsonl: lines {"id": ..., "embedding": [...]} or {"index": n,
//     "embedding": [...]}.
func LoadEmbeddings(path string, examples []*data.Example, tensor string) ([][]float32, error) {
	var rows [][]float32
	var err error
	switch {
	case strings.HasSuffix(path, ".npy"):
		rows, err = readNPY(path)
	case strings.HasSuffix(path, ".safetensors"):
		rows, err = readSafetensors(path, tensor)
	case strings.HasSuffix(path, ".jsonl"):
		return readEmbeddingJSONL(path, examples)
	default:
		return nil, fmt.Errorf("%s: embeddings must be .npy, .safetensors or .jsonl", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([][]float32, len(examples))
	for i, ex := range examples {
		if ex.Index < len(rows) {
			out[i] = rows[ex.Index]
		}
	}
	return out, nil
}

var npyHeader = regexp.MustCompile(`'descr':\s*'([<>|=]?[a-z]\d+)'.*'fortran_order':\s*(True|False).*'shape':\s*\(\s*(\d+)\s*,\s*(\d+)\s*,?\s*\)`)

func readNPY(path string) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file")
	}
	var hlen int
	if magic[6] == 1 {
		var n uint16
		binary.Read(br, binary.LittleEndian, &n)
		hlen = int(n)
	} else {
		var n uint32
		binary.Read(br, binary.LittleEndian, &n)
		hlen = int(n)
	}
	if hlen > 1<<20 {
		return nil, fmt.Errorf("header too long")
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, err
	}
	m := npyHeader.FindStringSubmatch(strings.ReplaceAll(string(h), "\"", "'"))
	if m == nil {
		return nil, fmt.Errorf("need a 2-D array; header is %q", strings.TrimSpace(string(h)))
	}
	if m[2] == "True" {
		return nil, fmt.Errorf("Fortran-order arrays are not supported; save with np.ascontiguousarray")
	}
	n, _ := strconv.Atoi(m[3])
	d, _ := strconv.Atoi(m[4])
	var dtype string
	switch strings.TrimLeft(m[1], "<|=") {
	case "f4":
		dtype = "F32"
	case "f8":
		dtype = "F64"
	default:
		return nil, fmt.Errorf("dtype %s: need little-endian float32 or float64", m[1])
	}
	if strings.HasPrefix(m[1], ">") {
		return nil, fmt.Errorf("big-endian arrays are not supported")
	}
	return readRows(br, n, d, dtype)
}

func readSafetensors(path, name string) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hlen uint64
	if err := binary.Read(f, binary.LittleEndian, &hlen); err != nil {
		return nil, fmt.Errorf("not a safetensors file: %v", err)
	}
	if hlen > 100<<20 {
		return nil, fmt.Errorf("not a safetensors file: header of %d bytes", hlen)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(f, hb); err != nil {
		return nil, err
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(hb, &header); err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	delete(header, "__metadata__")
	if name == "" {
		if len(header) != 1 {
			var names []string
			for k := range header {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("holds %d tensors %v; name the one to use", len(header), names)
		}
		for k := range header {
			name = k
		}
	}
	raw, ok := header[name]
	if !ok {
		return nil, fmt.Errorf("no tensor %q", name)
	}
	var t struct {
		Dtype   string  `json:"dtype"`
		Shape   []int   `json:"shape"`
		Offsets []int64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw, &t); err != nil || len(t.Offsets) != 2 {
		return nil, fmt.Errorf("tensor %q: bad header entry", name)
	}
	if len(t.Shape) != 2 {
		return nil, fmt.Errorf("tensor %q has shape %v; need [N, D]", name, t.Shape)
	}
	if _, err := f.Seek(8+int64(hlen)+t.Offsets[0], io.SeekStart); err != nil {
		return nil, err
	}
	return readRows(bufio.NewReader(io.LimitReader(f, t.Offsets[1]-t.Offsets[0])), t.Shape[0], t.Shape[1], t.Dtype)
}

// readRows reads n×d little-endian values of the dtype.
func readRows(r io.Reader, n, d int, dtype string) ([][]float32, error) {
	size := map[string]int{"F32": 4, "F64": 8, "F16": 2, "BF16": 2}[dtype]
	if size == 0 {
		return nil, fmt.Errorf("dtype %s: need F32, F64, F16 or BF16", dtype)
	}
	if n < 0 || d <= 0 || int64(n)*int64(d) > 1<<31 {
		return nil, fmt.Errorf("shape [%d, %d] is not usable", n, d)
	}
	buf := make([]byte, d*size)
	rows := make([][]float32, n)
	flat := make([]float32, n*d)
	for i := range rows {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("row %d: %w (file shorter than its shape [%d, %d])", i, err, n, d)
		}
		row := flat[i*d : (i+1)*d]
		for j := range row {
			b := buf[j*size:]
			switch dtype {
			case "F32":
				row[j] = math.Float32frombits(binary.LittleEndian.Uint32(b))
			case "F64":
				row[j] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
			case "BF16":
				row[j] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
			case "F16":
				row[j] = halfToFloat(binary.LittleEndian.Uint16(b))
			}
		}
		rows[i] = row
	}
	return rows, nil
}

func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 * float32(math.Pow(2, -14))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

func readEmbeddingJSONL(path string, examples []*data.Example) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	byID := map[string]int{}
	byIndex := map[int]int{}
	for i, ex := range examples {
		if ex.ID != "" {
			byID[ex.ID] = i
		}
		byIndex[ex.Index] = i
	}
	out := make([][]float32, len(examples))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var rec struct {
			ID        *json.RawMessage `json:"id"`
			Index     *int             `json:"index"`
			Embedding []float32        `json:"embedding"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if len(rec.Embedding) == 0 {
			return nil, fmt.Errorf("%s:%d: no \"embedding\" array", path, line)
		}
		pos, ok := -1, false
		switch {
		case rec.ID != nil:
			var id string
			if json.Unmarshal(*rec.ID, &id) != nil {
				id = strings.TrimSpace(string(*rec.ID))
			}
			pos, ok = byID[id]
		case rec.Index != nil:
			pos, ok = byIndex[*rec.Index]
		default:
			return nil, fmt.Errorf("%s:%d: needs an \"id\" or an \"index\"", path, line)
		}
		if ok {
			out[pos] = rec.Embedding
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
