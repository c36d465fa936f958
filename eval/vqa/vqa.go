// Package vqa computes VQA accuracy as the official evaluation
// (GT-Vision-Lab/VQA, PythonEvaluationTools/vqaEvaluation/vqaEval.py) does.
//
// Each answer (prediction and annotators' answers) has newlines and tabs
// replaced by spaces and is stripped. When the annotators disagree (more
// than one distinct answer), every answer is normalized: punctuation
// handling (processPunctuation), then lowercasing, number words zero..ten
// (and "none") to digits, removal of the articles a, an, the, and the
// contractions table (processDigitArticle). The accuracy of a question is
// the mean over annotators k of min(1, #{other annotators j != k whose
// answer equals the prediction} / 3).
//
// Quirks kept from vqaEval.py:
//   - no normalization at all when every annotator gave the same answer, so
//     "Yes" against ten "yes" scores 0;
//   - a punctuation character is deleted (instead of replaced by a space)
//     when it appears next to a space anywhere in the answer, or when the
//     answer contains a digit-comma-digit sequence;
//   - the period-stripping regex is called with re.UNICODE as its count
//     argument, so at most 32 periods are removed;
//   - "none" maps to "0".
//
// Digits in the regular expressions are ASCII, as in the Python 2 original
// (Python 3 ports also treat other Unicode decimal digits as digits).
package vqa

import (
	"fmt"
	"strings"
	"unicode"
)

var punct = []string{";", "/", "[", "]", `"`, "{", "}", "(", ")", "=", "+", `\`, "_", "-", ">", "<", "@", "`", ",", "?", "!"}

var manualMap = map[string]string{
	"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
	"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}

var articles = map[string]bool{"a": true, "an": true, "the": true}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// hasDigitCommaDigit is re.search(r"(\d)(\,)(\d)", s) != None.
func hasDigitCommaDigit(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == ',' && isASCIIDigit(s[i-1]) && isASCIIDigit(s[i+1]) {
			return true
		}
	}
	return false
}

// ProcessPunctuation is vqaEval.processPunctuation.
func ProcessPunctuation(in string) string {
	out := in
	commaDigits := hasDigitCommaDigit(in)
	for _, p := range punct {
		if strings.Contains(in, p+" ") || strings.Contains(in, " "+p) || commaDigits {
			out = strings.ReplaceAll(out, p, "")
		} else {
			out = strings.ReplaceAll(out, p, " ")
		}
	}
	// periodStrip "(?!<=\d)(\.)(?!\d)" with count 32: delete a period not
	// followed by a digit, at most 32 times.
	var b strings.Builder
	removed := 0
	for i := 0; i < len(out); i++ {
		if out[i] == '.' && removed < 32 && !(i+1 < len(out) && isASCIIDigit(out[i+1])) {
			removed++
			continue
		}
		b.WriteByte(out[i])
	}
	return b.String()
}

// ProcessDigitArticle is vqaEval.processDigitArticle.
func ProcessDigitArticle(in string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(in), isPySpace) {
		if m, ok := manualMap[w]; ok {
			w = m
		}
		if !articles[w] {
			words = append(words, w)
		}
	}
	for i, w := range words {
		if c, ok := contractions[w]; ok {
			words[i] = c
		}
	}
	return strings.Join(words, " ")
}

// Normalize applies ProcessPunctuation and then ProcessDigitArticle.
func Normalize(answer string) string { return ProcessDigitArticle(ProcessPunctuation(answer)) }

// clean replaces newlines and tabs with spaces and strips whitespace.
func clean(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "\t", " ")
	return strings.TrimFunc(s, isPySpace)
}

// isPySpace is Python's str.isspace for one character.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// Accuracy is the official accuracy of one prediction against the
// annotators' answers, in [0, 1].
func Accuracy(prediction string, answers []string) (float64, error) {
	if len(answers) == 0 {
		return 0, fmt.Errorf("vqa: a question has no annotator answers")
	}
	pred := clean(prediction)
	gts := make([]string, len(answers))
	distinct := map[string]bool{}
	for i, a := range answers {
		gts[i] = clean(a)
		distinct[gts[i]] = true
	}
	if len(distinct) > 1 {
		for i := range gts {
			gts[i] = Normalize(gts[i])
		}
		pred = Normalize(pred)
	}
	sum := 0.0
	for k := range gts {
		matches := 0
		for j := range gts {
			if j != k && gts[j] == pred {
				matches++
			}
		}
		sum += min(1, float64(matches)/3)
	}
	return sum / float64(len(gts)), nil
}

// Question is one prediction with its annotators' answers and optional
// types for the breakdowns.
type Question struct {
	Prediction   string   `json:"prediction"`
	Answers      []string `json:"answers"`
	AnswerType   string   `json:"answer_type,omitempty"`
	QuestionType string   `json:"question_type,omitempty"`
}

// Result holds accuracies in percent (0..100), as vqaEval.accuracy before
// its rounding to two decimals.
type Result struct {
	Overall         float64            `json:"overall"`
	PerAnswerType   map[string]float64 `json:"per_answer_type,omitempty"`
	PerQuestionType map[string]float64 `json:"per_question_type,omitempty"`
	PerQuestion     []float64          `json:"per_question"`
}

// Evaluate scores every question and aggregates overall and per answer and
// question type (types left empty are not broken down).
func Evaluate(qs []Question) (Result, error) {
	res := Result{PerQuestion: make([]float64, len(qs))}
	sumA, nA := map[string]float64{}, map[string]int{}
	sumQ, nQ := map[string]float64{}, map[string]int{}
	total := 0.0
	for i, q := range qs {
		acc, err := Accuracy(q.Prediction, q.Answers)
		if err != nil {
			return Result{}, fmt.Errorf("vqa: question %d: %w", i, err)
		}
		res.PerQuestion[i] = 100 * acc
		total += acc
		if q.AnswerType != "" {
			sumA[q.AnswerType] += acc
			nA[q.AnswerType]++
		}
		if q.QuestionType != "" {
			sumQ[q.QuestionType] += acc
			nQ[q.QuestionType]++
		}
	}
	if len(qs) > 0 {
		res.Overall = 100 * total / float64(len(qs))
	}
	if len(nA) > 0 {
		res.PerAnswerType = map[string]float64{}
		for k, s := range sumA {
			res.PerAnswerType[k] = 100 * s / float64(nA[k])
		}
	}
	if len(nQ) > 0 {
		res.PerQuestionType = map[string]float64{}
		for k, s := range sumQ {
			res.PerQuestionType[k] = 100 * s / float64(nQ[k])
		}
	}
	return res, nil
}
