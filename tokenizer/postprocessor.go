package tokenizer

// A postProcessor adds the special tokens around an encoded sequence
// (RobertaProcessing, BertProcessing, TemplateProcessing and Sequences of
// them). Every processor reduces to one flat template; ByteLevel only
// adjusts offsets, which this package does not track, so its template is
// the sequence alone.
type postProcessor interface {
	template() []templateItem
}

// specialPiece is one special token (or a few) a processor inserts.
type specialPiece struct {
	ids    []int
	tokens []string
}

// templateItem is either the sequence itself (with its type id) or a
// special token.
type templateItem struct {
	sequence bool
	typeID   int
	special  specialPiece
}

// templateProcessor is TemplateProcessing's single-sequence template.
type templateProcessor struct {
	items []templateItem
}

func (t *templateProcessor) template() []templateItem { return t.items }

// clsSep builds the "[CLS] A [SEP]" template of BertProcessing and
// RobertaProcessing.
func clsSep(cls, sep string, clsID, sepID int) *templateProcessor {
	return &templateProcessor{items: []templateItem{
		{special: specialPiece{ids: []int{clsID}, tokens: []string{cls}}},
		{sequence: true},
		{special: specialPiece{ids: []int{sepID}, tokens: []string{sep}}},
	}}
}

// seqProcessor applies processors in order: each later template wraps the
// result of the earlier ones, whose type ids it overrides.
type seqProcessor []postProcessor

func (q seqProcessor) template() []templateItem {
	inner := []templateItem{{sequence: true}}
	for _, p := range q {
		var out []templateItem
		for _, it := range p.template() {
			if !it.sequence {
				out = append(out, it)
				continue
			}
			for _, in := range inner {
				in.typeID = it.typeID
				out = append(out, in)
			}
		}
		inner = out
	}
	return inner
}

// noopProcessor is the ByteLevel post-processor.
type noopProcessor struct{}

func (noopProcessor) template() []templateItem { return []templateItem{{sequence: true}} }

// addedCount is the number of tokens a template adds around the sequence.
func addedCount(items []templateItem) int {
	n := 0
	for _, it := range items {
		if !it.sequence {
			n += len(it.special.ids)
		}
	}
	return n
}
