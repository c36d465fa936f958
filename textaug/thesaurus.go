package textaug

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Thesaurus maps words and phrases (lower case, single spaces) to their
// synonyms.
//
// Text format (any extension but .json): one synonym group per line, its
// entries separated by tabs when the line has a tab, else by commas; every
// entry is a synonym of every other entry of its line, and a word listed in
// several groups gets all of them. Entries may be phrases ("motor car").
// Blank lines and lines starting with # are ignored. For example:
//
//	# shapes
//	big, large, huge
//	car	automobile	motor car
//
// JSON format (.json): either an object mapping a word to its synonyms,
// {"big": ["large", "huge"]} (one direction only, as written), or an array
// of groups, [["big", "large", "huge"], ...]. Underscores in entries stand
// for spaces, as in WordNet lemma names ("ice_cream").
type Thesaurus struct {
	syn      map[string][]string
	maxWords int // longest phrase, in words
}

// LoadThesaurus reads a thesaurus file, choosing the format by extension.
func LoadThesaurus(path string) (*Thesaurus, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("textaug: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return ParseThesaurusJSON(data, path)
	}
	return ParseThesaurus(bytes.NewReader(data), path)
}

// ParseThesaurus reads the text format; name is used in errors.
func ParseThesaurus(r io.Reader, name string) (*Thesaurus, error) {
	t := &Thesaurus{syn: map[string][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		sep := ","
		if strings.Contains(text, "\t") {
			sep = "\t"
		}
		var group []string
		for _, e := range strings.Split(text, sep) {
			e = normalize(e)
			if e == "" {
				return nil, fmt.Errorf("textaug: %s:%d: empty entry in %q (entries are separated by %s)", name, line, text, sepName(sep))
			}
			group = append(group, e)
		}
		if len(group) < 2 {
			return nil, fmt.Errorf("textaug: %s:%d: %q has one entry; a group needs at least two, separated by commas or tabs", name, line, text)
		}
		t.addGroup(group)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("textaug: %s:%d: %w", name, line+1, err)
	}
	if len(t.syn) == 0 {
		return nil, fmt.Errorf("textaug: %s: no synonym groups", name)
	}
	return t, nil
}

func sepName(sep string) string {
	if sep == "\t" {
		return "tabs"
	}
	return "commas"
}

// ParseThesaurusJSON reads the JSON format; name is used in errors.
func ParseThesaurusJSON(data []byte, name string) (*Thesaurus, error) {
	t := &Thesaurus{syn: map[string][]string{}}
	var obj map[string][]string
	var groups [][]string
	switch {
	case json.Unmarshal(data, &obj) == nil:
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w := normalize(k)
			if w == "" {
				return nil, fmt.Errorf("textaug: %s: empty key", name)
			}
			for _, s := range obj[k] {
				if s = normalize(s); s != "" && s != w {
					t.add(w, s)
				}
			}
		}
	case json.Unmarshal(data, &groups) == nil:
		for i, g := range groups {
			var group []string
			for _, e := range g {
				if e = normalize(e); e != "" {
					group = append(group, e)
				}
			}
			if len(group) < 2 {
				return nil, fmt.Errorf("textaug: %s: group %d has fewer than two entries", name, i)
			}
			t.addGroup(group)
		}
	default:
		return nil, fmt.Errorf("textaug: %s: want a JSON object {\"word\": [\"synonym\", ...]} or an array of groups [[\"a\", \"b\"], ...]", name)
	}
	if len(t.syn) == 0 {
		return nil, fmt.Errorf("textaug: %s: no synonyms", name)
	}
	return t, nil
}

// normalize lower-cases an entry, turns underscores into spaces and
// collapses runs of white space.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "_", " "))), " ")
}

func (t *Thesaurus) addGroup(group []string) {
	for _, w := range group {
		for _, s := range group {
			if s != w {
				t.add(w, s)
			}
		}
	}
}

func (t *Thesaurus) add(w, s string) {
	if !slices.Contains(t.syn[w], s) {
		t.syn[w] = append(t.syn[w], s)
	}
	t.maxWords = max(t.maxWords, strings.Count(w, " ")+1)
}

// Synonyms returns the synonyms of a word or phrase (any case), in file
// order; nil when it has none.
func (t *Thesaurus) Synonyms(word string) []string {
	if t == nil {
		return nil
	}
	return t.syn[normalize(word)]
}

// Len returns the number of words and phrases that have synonyms.
func (t *Thesaurus) Len() int {
	if t == nil {
		return 0
	}
	return len(t.syn)
}
