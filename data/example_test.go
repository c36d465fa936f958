package data_test

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/vlmtune/vlmtune/data"
)

// Reading a JSONL file: good records come back as Examples, a bad one as a
// *RecordError naming its line, and reading goes on.
func ExampleOpen() {
	r, err := data.Open(context.Background(), []string{"testdata/pairs.jsonl"}, data.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		ex, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *data.RecordError
		if errors.As(err, &re) {
			fmt.Printf("line %d: %s\n", re.Line, re.Msg)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("line %d: %s %s %q source=%q\n", ex.Origin.Line, ex.Kind, ex.Image.Name, ex.Text(), ex.Meta.Source)
	}
	// Output:
	// line 1: pair images/cat.png "a cat on a mat" source="web"
	// line 2: pair images/dog.png "a dog\na small dog" source="book"
	// line 3: field "metadata.quality_score" must be a number, got string "high"
	// line 4: conversation images/dog.png "<image>\nWhat animal is this?\nA dog." source=""
}
