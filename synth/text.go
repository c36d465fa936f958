package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

var countWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

func plural(shape string) string {
	if strings.HasSuffix(shape, "s") {
		return shape + "es"
	}
	return shape + "s"
}

// article returns "a" or "an" for the word that follows.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// positionPhrase turns a grid cell into words: "in the top left corner",
// "at the top", "on the left", "in the center".
func positionPhrase(cell string) string {
	switch cell {
	case "center":
		return "in the center"
	case "top", "bottom":
		return "at the " + cell
	case "left", "right":
		return "on the " + cell
	}
	return "in the " + cell + " corner"
}

// captions returns the paraphrased captions of an example (from the stated
// attributes, which differ from the drawn ones under label noise).
func captions(ex *example) []string {
	s := &ex.stated
	color, shape, count := s.color.name, s.shape, len(s.objects)
	if count == 1 {
		return []string{
			article(color) + " " + color + " " + shape,
			"a photo of " + article(color) + " " + color + " " + shape,
			article(s.size) + " " + s.size + " " + color + " " + shape + " " + positionPhrase(ex.position),
			article(s.texture) + " " + s.texture + " " + color + " " + shape + " on " + article(s.bgName) + " " + s.bgName + " background",
			"there is one " + color + " " + shape + " in the image",
			capitalize(color) + " " + shape + ".",
		}
	}
	n, shapes := countWords[count], plural(shape)
	return []string{
		n + " " + color + " " + shapes,
		"a photo of " + n + " " + color + " " + shapes,
		n + " " + s.size + " " + color + " " + shapes + " on " + article(s.bgName) + " " + s.bgName + " background",
		"there are " + n + " " + s.texture + " " + color + " " + shapes,
		"an image with " + strconv.Itoa(count) + " " + color + " " + shapes,
		capitalize(n) + " " + color + " " + shapes + ".",
	}
}

// Turn is one message of a LLaVA conversation.
type Turn struct {
	From  string `json:"from"`
	Value string `json:"value"`
}

// questions returns 2–4 question–answer turns about colour, shape, count,
// position, texture, size and background, in random order; the first
// question starts with "<image>\n".
func questions(ex *example, colors []namedColor, rng *rand.Rand) []Turn {
	s := &ex.stated
	color, shape, count := s.color.name, s.shape, len(s.objects)
	one := count == 1
	shapes := plural(shape)
	subj, pron, be := "the "+shape, "It", "is"
	if !one {
		subj, pron, be = "the "+shapes, "They", "are"
	}
	type qa struct{ q, a string }
	pool := []qa{
		{"What color " + be + " " + subj + "?", capitalize(subj) + " " + be + " " + color + "."},
		{"How many " + shapes + " are there?", countAnswer(count, shape)},
		{"What pattern " + map[bool]string{true: "does", false: "do"}[one] + " " + subj + " have?", pron + " " + be + " " + s.texture + "."},
		{"How big " + be + " " + subj + "?", pron + " " + be + " " + s.size + "."},
		{"What color is the background?", "The background is " + s.bgName + "."},
	}
	if one {
		pool = append(pool,
			qa{"What shape is in the image?", capitalize(article(shape)) + " " + shape + "."},
			qa{"Where is the " + shape + "?", "It is " + positionPhrase(ex.position) + "."})
	} else {
		pool = append(pool, qa{"What shape are the objects?", "They are " + shapes + "."})
	}
	if rng.IntN(2) == 0 {
		pool = append(pool, qa{capitalize(be) + " " + subj + " " + color + "?", "Yes, " + strings.ToLower(pron) + " " + be + " " + color + "."})
	} else {
		var others []string
		for _, c := range colors {
			if c.name != color {
				others = append(others, c.name)
			}
		}
		o := others[rng.IntN(len(others))]
		q := "Is there " + article(o) + " " + o + " " + shape + " in the image?"
		if !one {
			q = "Are there any " + o + " " + shapes + " in the image?"
		}
		pool = append(pool, qa{q, "No, " + subj + " " + be + " " + color + "."})
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	n := 2 + rng.IntN(3)
	turns := make([]Turn, 0, 2*n)
	for i, p := range pool[:n] {
		q := p.q
		if i == 0 {
			q = "<image>\n" + q
		}
		turns = append(turns, Turn{"human", q}, Turn{"gpt", p.a})
	}
	return turns
}

func countAnswer(count int, shape string) string {
	if count == 1 {
		return "There is one " + shape + "."
	}
	return "There are " + countWords[count] + " " + plural(shape) + "."
}
