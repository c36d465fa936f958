package safetensors

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vlmtune/vlmtune/internal/testutil"
)

// manifestDTypes maps the numpy dtype names of the fixtures' manifest.json
// to safetensors dtypes.
var manifestDTypes = map[string]DType{"float32": F32, "int64": I64, "uint8": U8, "float16": F16, "bfloat16": BF16}

// TestFixtureFiles reads every safetensors file of the shared Hugging Face
// fixtures, checks reference.safetensors against the "arrays" of the
// folder's manifest.json, converts every tensor, and checks that writing
// the tensors back reproduces the file byte for byte (the fixtures were
// written in the reference layout).
func TestFixtureFiles(t *testing.T) {
	root := testutil.Fixture(t, "hf-parity")
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".safetensors" {
			files = append(files, p)
		}
		return err
	})
	if len(files) < 10 {
		t.Fatalf("found only %d safetensors files under %s", len(files), root)
	}
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		t.Run(rel, func(t *testing.T) {
			f, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if len(f.Tensors()) == 0 {
				t.Fatal("no tensors")
			}
			var again []Tensor
			for _, ti := range f.Tensors() {
				nt := Tensor{Name: ti.Name, Shape: ti.Shape, DType: ti.DType}
				switch ti.DType {
				case F32:
					if nt.F32, err = f.Float32s(ti.Name); err != nil {
						t.Fatal(err)
					}
				case I64:
					v, err := f.Int64s(ti.Name)
					if err != nil {
						t.Fatal(err)
					}
					nt = Int64Tensor(ti.Name, ti.Shape, v)
				case U8:
					v, err := f.Uint8s(ti.Name)
					if err != nil {
						t.Fatal(err)
					}
					nt = Uint8Tensor(ti.Name, ti.Shape, v)
				default:
					t.Fatalf("tensor %s has unexpected dtype %s", ti.Name, ti.DType)
				}
				again = append(again, nt)
			}
			buf, err := Marshal(again, f.Metadata())
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := os.ReadFile(p)
			if !bytes.Equal(buf, orig) {
				t.Errorf("rewriting gives %d bytes that differ from the %d-byte original", len(buf), len(orig))
			}
			if filepath.Base(p) == "reference.safetensors" {
				checkManifest(t, f, filepath.Join(filepath.Dir(p), "manifest.json"))
			}
		})
	}
}

func checkManifest(t *testing.T, f *File, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Arrays map[string]struct {
			Shape []int  `json:"shape"`
			DType string `json:"dtype"`
		} `json:"arrays"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(m.Arrays) == 0 {
		t.Fatalf("%s lists no arrays", path)
	}
	for name, a := range m.Arrays {
		info, err := f.Info(name)
		if err != nil {
			t.Errorf("manifest array %s: %v", name, err)
			continue
		}
		if !slices.Equal(info.Shape, a.Shape) || info.DType != manifestDTypes[a.DType] {
			t.Errorf("%s: file has %s %v, manifest says %s %v", name, info.DType, info.Shape, a.DType, a.Shape)
		}
	}
}
