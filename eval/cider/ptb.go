package cider

import (
	"regexp"
	"strings"
)

type ptbRule struct {
	re     *regexp.Regexp
	action func(tok string) (string, bool) // output token, keep?
}

const (
	letter  = `[\p{L}\p{M}\x{AD}]`
	pletter = `\p{L}`
	digit   = `\p{Nd}`
	apos    = `['\x{92}\x{2019}]`
	aposEtc = `['\x{92}\x{2019}\x{91}\x{2018}\x{201B}]`
	hyphen  = `[-_\x{58A}\x{2010}\x{2011}]`
	acro    = `[A-Za-z](?:\.[A-Za-z])+`
	spaceNL = `[ \t\x{A0}\x{2000}-\x{200A}\x{3000}\r\n\x{2028}\x{2029}\x{B}\x{C}\x{85}]`
	alnum   = `[\p{L}\p{Nd}]`
	redaux  = apos + `(?:[msdMSD]|(?i:re|ve|ll))`
	thing   = `(?:[dDoOlL]` + aposEtc + alnum + `)?` + alnum + `+(?:` + hyphen + `(?:[dDoOlL]` + aposEtc + alnum + `)?` + alnum + `+)*`
	hthing  = `[A-Za-z0-9][A-Za-z0-9.,\x{AD}]*(?:-(?:[A-Za-z0-9\x{AD}]+))+`
	abbrev1 = `(?:(?i:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|(?i:Mon|Tue|Tues|Wed|Thu|Thurs|Fri)|` +
		`(?i:Ala|Ariz)|A(?i:rk)|(?i:Calif|Colo|Conn|Dak|Del|Fla|Ga)|I(?i:ll)|(?i:Ind|Kans?|Ky|La)|M(?i:ass)|(?i:Md|Mich|Minn)|M(?i:iss)|(?i:Mo|Mont|Neb|Nev|Okla)|O(?i:re)|(?i:Pa|Penn|Tenn|Tex|Va|Vt)|W(?i:ash)|(?i:Wisc?|Wyo)|` +
		`(?i:Inc|Cos?|Corp|Pp?tys?|Ltd|Plc|Bancorp|Dept|Bhd|Assn|Univ|Intl|Sys)|(?i:Nos?|Prop|Ph|tel|est|ext|sq|ft)|(?i:Jr|Sr|Bros|(?:Ed|Ph)\.D|Blvd|Rd|Esq)|(?i:etc|al|seq))\.`
	abtitle = `(?:(?i:Mr|Mrs|Ms)|M(?i:iss)|(?i:Drs?|Profs?|Sens?|Reps?|Attys?|Lt|Col|Gen|Messrs|Govs?|Adm|Rev|Maj|Sgt|Cpl|Pvt|Mt|Capt|Ste?|Ave|Pres|Lieut|Hon|Brig|Co?mdr|Pfc|Spc|Supts?|Det))`
	abbrev2 = `(?:[A-Za-z]|` + abtitle + `|(?i:vs|Alex|Wm|Jos|Cie|a\.k\.a|cf|TREAS)|` + acro + `|(?i:Invt|Elec|Natl|M[ft]g))\.`
	quotes  = apos + "|''|[`\\x{2018}\\x{2019}\\x{201A}\\x{201B}\\x{201C}\\x{201D}\\x{91}\\x{92}\\x{93}\\x{94}\\x{201E}\\x{201F}\\x{2039}\\x{203A}\\x{AB}\\x{BB}]{1,2}"
	misc    = `[\x{A6}\x{A7}\x{A8}\x{A9}\x{AC}\x{AE}\x{AF}\x{B0}-\x{BA}\x{D7}\x{F7}\x{387}\x{5BE}\x{5C0}\x{5C3}\x{5C6}\x{5F3}\x{5F4}\x{600}-\x{603}\x{606}-\x{60A}\x{60C}\x{614}\x{61B}\x{61E}\x{66A}\x{66D}\x{703}-\x{70D}\x{7F6}-\x{7F8}\x{964}\x{965}\x{E4F}\x{2020}-\x{2023}\x{2032}-\x{2038}\x{2044}\x{207A}-\x{207F}\x{208A}-\x{208E}\x{2100}-\x{214F}\x{2190}-\x{23FF}\x{2600}-\x{26FF}\x{3012}\x{30FB}\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF20}\x{FF3B}-\x{FF40}\x{FF5B}-\x{FF65}]`
)

func keep(tok string) (string, bool) { return tok, true }
func drop(string) (string, bool)     { return "", false }
func constant(s string) func(string) (string, bool) {
	return func(string) (string, bool) { return s, true }
}

// delimit puts a backslash before every c not already escaped (PTB3's
// escapeForwardSlashAsterisk, on by default in CoreNLP 3.4.1).
func delimit(s string, c byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == c && (i == 0 || s[i-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func removeSoftHyphens(s string) string { return strings.ReplaceAll(s, "\u00ad", "") }

func normalizeAmp(s string) string {
	return regexp.MustCompile(`(?i)&amp;`).ReplaceAllString(s, "&")
}

var (
	leftQuoteRe  = strings.NewReplacer("&apos;", "`", "'", "`", `"`, "``", "&quot;", "``")
	rightQuoteRe = strings.NewReplacer("&apos;", "'", `"`, "''", "&quot;", "''")
	uniQuoteRe   = strings.NewReplacer(
		"\u0091", "`", "\u2018", "`", "\u201B", "`", "\u2039", "`",
		"\u0092", "'", "\u2019", "'", "\u203A", "'",
		"\u0093", "``", "\u201C", "``", "\u00AB", "``",
		"\u0094", "''", "\u201D", "''", "\u00BB", "''")
)

// latexQuotes is PTBLexer's latexQuotes normalization.
func latexQuotes(tok string, probablyLeft bool) string {
	if probablyLeft {
		tok = leftQuoteRe.Replace(tok)
	} else {
		tok = rightQuoteRe.Replace(tok)
	}
	return uniQuoteRe.Replace(tok)
}

func quoteAction(left bool) func(string) (string, bool) {
	return func(tok string) (string, bool) { return latexQuotes(tok, left), true }
}

var americanMap = func() map[string]string {
	from := strings.Fields(`anaesthetic analogue analogues analyse analysed analysing armoured cancelled cancelling candour capitalise capitalised capitalisation centre chimaeric clamour coloured colouring defence detour discolour discolours discoloured discolouring encyclopaedia endeavour endeavours endeavoured endeavouring fervour favour favours favoured favouring favourite favourites fibre fibres finalise finalised finalising flavour flavours flavoured flavouring glamour grey harbour harbours homologue homologues honour honours honoured honouring honourable humour humours humoured humouring kerb labelled labelling labour labours laboured labouring leant learnt localise localised manoeuvre manoeuvres maximise maximised maximising meagre minimise minimised minimising modernise modernised modernising misdemeanour misdemeanours neighbour neighbours neighbourhood neighbourhoods oestrogen oestrogens organisation organisations penalise penalised popularise popularised popularises popularising practise practised pressurise pressurised pressurises pressurising realise realised realising realises recognise recognised recognising recognises rumoured rumouring savour savours savoured savouring splendour splendours theatre theatres titre titres travelled travelling`)
	to := strings.Fields(`anesthetic analog analogs analyze analyzed analyzing armored canceled canceling candor capitalize capitalized capitalization center chimeric clamor colored coloring defense detour discolor discolors discolored discoloring encyclopedia endeavor endeavors endeavored endeavoring fervor favor favors favored favoring favorite favorites fiber fibers finalize finalized finalizing flavor flavors flavored flavoring glamour gray harbor harbors homolog homologs honor honors honored honoring honorable humor humors humored humoring curb labeled labeling labor labors labored laboring leaned learned localize localized maneuver maneuvers maximize maximized maximizing meager minimize minimized minimizing modernize modernized modernizing misdemeanor misdemeanors neighbor neighbors neighborhood neighborhoods estrogen estrogens organization organizations penalize penalized popularize popularized popularizes popularizing practice practiced pressurize pressurized pressurizes pressurizing realize realized realizing realizes recognize recognized recognizing recognizes rumored rumoring savor savors savored savoring splendor splendors theater theaters titer titers traveled traveling`)
	m := make(map[string]string, len(from))
	for i := range from {
		m[from[i]] = to[i]
	}
	return m
}()

var americanPats = []struct {
	pat, except *regexp.Regexp
	rep         string
}{
	{regexp.MustCompile(`haem(at)?o`), nil, "hem${1}o"},
	{regexp.MustCompile(`aemia$`), nil, "emia"},
	{regexp.MustCompile(`([lL]euk)aem`), nil, "${1}em"},
	{regexp.MustCompile(`programme(s?)$`), nil, "program${1}"},
	{regexp.MustCompile(`^([a-z]{3,})our(s?)$`), regexp.MustCompile(`glamour|de[tv]our`), "${1}or${2}"},
}

// americanize is CoreNLP's Americanize.americanize (British to American
// spelling for a fixed word list and five patterns), applied by PTBLexer to
// word tokens before lowercasing.
func americanize(w string) string {
	if a, ok := americanMap[w]; ok {
		return a
	}
	for _, p := range americanPats {
		if p.except != nil && p.except.MatchString(w) {
			continue
		}
		if p.pat.MatchString(w) {
			return p.pat.ReplaceAllString(w, p.rep)
		}
	}
	return w
}

func wordAction(tok string) (string, bool) { return americanize(removeSoftHyphens(tok)), true }

var fracRepl = strings.NewReplacer("\u00BC", `1\/4`, "\u00BD", `1\/2`, "\u00BE", `3\/4`, "\u2153", `1\/3`)

// ptbRules are PTBLexer's rules in file order (earlier wins ties). Each
// pattern is `^(TOKEN)TRAILING-CONTEXT`; the whole match decides the
// longest match, group 1 is the token.
var ptbRules = func() []ptbRule {
	r := func(pat string, a func(string) (string, bool)) ptbRule {
		re := regexp.MustCompile(`^(?:` + pat + `)`)
		re.Longest()
		return ptbRule{re, a}
	}
	return []ptbRule{
		r(`((?i:can))(?i:not)`, keep),
		r(`(</?[A-Za-z!][^>]*>)`, keep),
		r(`((?i:&(?:MD|mdash|ndash);)|[\x{96}\x{97}\x{2013}\x{2014}\x{2015}])`, constant("--")),
		r(`((?i:&amp;))`, constant("&")),
		r(`((?i:&(?:HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);))`, keep),
		r(`(`+letter+`+)`+redaux, wordAction),
		r(`([A-Za-z\x{AD}]*[A-MO-Za-mo-z]\x{AD}*)(?i:n)`+aposEtc+`(?i:t)`, func(t string) (string, bool) { return removeSoftHyphens(t), true }),
		r(`(`+letter+`+)`, wordAction),
		r(`(`+apos+`(?i:n)`+apos+`?|[lLdDjJ]`+apos+`|(?i:dunkin|somethin|ol)`+apos+`|`+apos+`(?i:em)|[A-HJ-XZn]`+aposEtc+pletter+`{2}`+pletter+`*|`+
			apos+`[2-9]0(?i:s)|`+apos+`(?i:till?)|`+pletter+pletter+`*[aeiouyAEIOUY]`+aposEtc+`[aeiouA-Z]`+pletter+`*|`+apos+`(?i:cause)|`+
			`(?i:cont'd\.?|'twas|nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l))`, keep),
		r(`((?i:y)`+apos+`)`+pletter, keep),
		r(`((?i:https?://)[^ \t\n\f\r"<>|()]+[^ \t\n\f\r"<>|.!?(){},-])`, func(t string) (string, bool) { return delimit(delimit(t, '/'), '*'), true }),
		r(`((?:(?i:www)\.(?:[^ \t\n\f\r"<>|.!?(){},]+\.)+[a-zA-Z]{2,4}|(?:[^ \t\n\f\r"`+"`"+`'<>|.!?(){}\x{2C}-\x{5F}$]+\.)+(?i:com|net|org|edu))(?:/[^ \t\n\f\r"<>|()]+[^ \t\n\f\r"<>|.!?(){},-])?)`,
			func(t string) (string, bool) { return delimit(delimit(t, '/'), '*'), true }),
		r(`([a-zA-Z0-9][^ \t\n\f\r"<>|()\x{A0}]*@(?:[^ \t\n\f\r"<>|().\x{A0}]+\.)+[a-zA-Z]{2,4})`, keep),
		r(`(`+redaux+`)[^A-Za-z]`, quoteAction(false)),
		r(`((?i:n)`+aposEtc+`(?i:t))`, quoteAction(false)),
		r(`(`+digit+`{1,2}[-/]`+digit+`{1,2}[-/]`+digit+`{2,4})`, func(t string) (string, bool) { return delimit(t, '/'), true }),
		r(`([-+]?(?:`+digit+`+|`+digit+`*(?:[.:,\x{AD}\x{66B}\x{66C}]`+digit+`+)+))`, func(t string) (string, bool) { return removeSoftHyphens(t), true }),
		r(`((?:`+digit+`{1,4}[- \x{A0}])?`+digit+`{1,4}(?:\\?/|\x{2044})`+digit+`{1,4})`, func(t string) (string, bool) {
			return strings.ReplaceAll(delimit(t, '/'), " ", "\u00a0"), true
		}),
		r(`([\x{BC}\x{BD}\x{BE}\x{2153}-\x{215E}])`, func(t string) (string, bool) { return fracRepl.Replace(t), true }),
		r(`(-(?i:RRB|LRB|RCB|LCB|RSB|LSB)-|(?i:C\.D\.s|pro-|anti-|S(?:&|&amp;)P-500|S(?:&|&amp;)Ls)|(?i:cap)`+apos+`(?i:n)|(?i:c)`+apos+`(?i:est))`,
			func(t string) (string, bool) { return normalizeAmp(t), true }),
		r(`([A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\?/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2})`, func(t string) (string, bool) { return delimit(t, '/'), true }),
		r(`([A-Z]*\$|#)`, keep),
		r(`([\x{A2}\x{A3}\x{A4}\x{A5}\x{80}\x{20A0}\x{20AC}\x{60B}\x{E3F}\x{20A4}\x{FFE0}\x{FFE1}\x{FFE5}\x{FFE6}])`, func(t string) (string, bool) {
			return strings.NewReplacer("\u00a2", "cents", "\u00a3", "#", "\u0080", "$", "\u00a4", "$", "\u20a0", "$", "\u20ac", "$").Replace(t), true
		}),
		r(`(`+abbrev1+`)`, keep),
		r(`(`+abbrev2+`)`, keep),
		r(`(`+acro+`)`+spaceNL, keep),
		r(`(`+apos+`[0-9][0-9])`+spaceNL, keep),
		r(`(`+letter+`+\.)[,;:]`, func(t string) (string, bool) { return removeSoftHyphens(t), true }),
		r(`("|(?i:&quot;))[A-Za-z0-9$]`, quoteAction(true)),
		r(`("|(?i:&quot;))`, quoteAction(false)),
		r(`(\+|[%&\x{2030}\x{2031}]|[~^])`, keep),
		r(`([|\\])`, drop),
		r(`([<\[]|(?i:&lt;))`, constant("-LRB-")),
		r(`([>\]]|(?i:&gt;))`, constant("-RRB-")),
		r(`(\{)`, constant("-LCB-")),
		r(`(\})`, constant("-RCB-")),
		r(`(\()`, constant("-LRB-")),
		r(`(\))`, constant("-RRB-")),
		r(`(-+)`, func(t string) (string, bool) {
			if len(t) >= 3 && len(t) <= 4 {
				return "--", true
			}
			return t, true
		}),
		r(`(\.{3,5}|(?:\.[ \x{A0}]){2,4}\.|[\x{85}\x{2026}])`, constant("...")),
		r(`(@+|#+|_+)`, keep),
		r(`(\*+|(?:\\\*){1,3})`, func(t string) (string, bool) { return delimit(t, '*'), true }),
		r(`([,;:])`, keep),
		r(`([?!]+)`, keep),
		r(`([.\x{A1}\x{BF}\x{37E}\x{589}\x{61F}\x{6D4}\x{700}-\x{702}\x{7FA}])`, keep),
		r(`(=)`, keep),
		r(`(/)`, constant(`\/`)),
		r(`(`+hthing+`\.)[,;:]`, func(t string) (string, bool) { return removeSoftHyphens(t), true }),
		r(`(`+hthing+`)`, func(t string) (string, bool) { return removeSoftHyphens(t), true }),
		r(`(`+thing+`\.)[,;:]`, keep),
		r(`(`+thing+`)`, keep),
		r(`([A-Z]+(?:(?:[+&]|(?i:&amp;))[A-Z]+)+\.)[,;:]`, func(t string) (string, bool) { return normalizeAmp(t), true }),
		r(`([A-Z]+(?:(?:[+&]|(?i:&amp;))[A-Z]+)+)`, func(t string) (string, bool) { return normalizeAmp(t), true }),
		r(`(')[A-Za-z][^ \t\n\r\x{A0}]`, quoteAction(true)),
		r(`(`+redaux+`)`, quoteAction(false)),
		r(`(`+quotes+`)`, quoteAction(false)),
		r(`(`+misc+`)`, keep),
		r(`([ \t\x{A0}\x{2000}-\x{200A}\x{3000}]+|[\x{0}\x{200B}\x{200E}\x{200F}\x{FEFF}]|\r|\r?\n|[\x{2028}\x{2029}\x{B}\x{C}\x{85}]|(?i:&nbsp;))`, drop),
	}
}()

// ptbPunctuation are the tokens pycocoevalcap's PTBTokenizer removes.
var ptbPunctuation = map[string]bool{
	"''": true, "'": true, "``": true, "`": true, "-LRB-": true, "-RRB-": true, "-LCB-": true, "-RCB-": true,
	".": true, "?": true, "!": true, ",": true, ":": true, "-": true, "--": true, "...": true, ";": true,
}

// PTBTokens returns the lowercased PTB tokens of a caption before
// punctuation removal, as the COCO caption pipeline produces them: pycocoevalcap's
// tokenizer/ptbtokenizer.py runs Stanford CoreNLP 3.4.1's
// edu.stanford.nlp.process.PTBTokenizer with -preserveLines -lowerCase
// (default options, so PTB3 escaping and americanize are on), then drops
// these tokens:
//
//	''  '  ``  `  -LRB-  -RRB-  -LCB-  -RCB-  .  ?  !  ,  :  -  --  ...  ;
//
// This is a re-implementation of the PTBLexer rules that matter for
// captions (longest match, earliest rule on ties), written from the JFlex
// specification of that period (the 3.4.1 jar itself could not be run
// here). The defaults of that PTBLexer are assumed: americanize on (so
// "grey" becomes "gray" and "colour" "color"), forward slashes and
// asterisks escaped ("and\/or"), brackets as -LRB- and friends, quotes as
// “ and ”. Later CoreNLP releases changed the first two defaults.
// Known differences from the Java tokenizer:
//   - -lowerCase lowercases every token, including -LRB- and friends, so
//     brackets survive as "-lrb-", "-rrb-", "-lcb-", "-rcb-" (the
//     punctuation list is upper case); this quirk is reproduced;
//   - a few rarely used rules are not implemented: phone numbers, super- and
//     subscript digit runs, the ACRO. alternative inside hyphenated words,
//     the &apos; entity, and the sentence-final duplication of an
//     abbreviation's period (it only adds a "." token, which is dropped);
//   - WORD's long list of extra combining characters is approximated by the
//     Unicode mark categories, and untokenizable characters (emoji and other
//     symbols outside the lexer's lists) are deleted, as CoreNLP's default
//     "firstDelete" does;
//   - a caption containing a line separator (\r, U+2028, \v, \f, U+0085) is
//     treated as one line; in the Java pipeline such characters shift every
//     later caption onto the wrong image;
//   - lowercasing uses Go's rules (Java's final-sigma rule differs).
func PTBTokens(caption string) []string {
	// Newlines inside a caption become spaces (ptbtokenizer.py), and every
	// caption is followed by a newline in the tokenizer's input file.
	s := strings.ReplaceAll(caption, "\n", " ") + "\n"
	var toks []string
	for pos := 0; pos < len(s); {
		rest := s[pos:]
		// Fast paths with the same result as the rules: a single space,
		// a comma, semicolon or colon not followed by a digit (NUMBER
		// allows ",5"), and a run of ASCII letters followed
		// by whitespace or by punctuation that no longer rule can extend
		// into (only WORD matches then, except for "cannot").
		if rest[0] == ' ' {
			pos++
			continue
		}
		if (rest[0] == ',' || rest[0] == ';' || rest[0] == ':') && !(rest[1] >= '0' && rest[1] <= '9') {
			toks = append(toks, rest[:1])
			pos++
			continue
		}
		if n := asciiLetters(rest); n > 0 && strings.IndexByte(" \t\n,;:!?)]}\"", rest[n]) >= 0 && !strings.EqualFold(rest[:n], "cannot") {
			w, _ := wordAction(rest[:n])
			toks = append(toks, strings.ToLower(w))
			pos += n
			continue
		}
		best, bestTok := -1, -1
		var bestRule *ptbRule
		for i := range ptbRules {
			m := ptbRules[i].re.FindStringSubmatchIndex(rest)
			if m == nil || m[1] <= best {
				continue
			}
			best, bestTok, bestRule = m[1], m[3], &ptbRules[i]
		}
		if bestRule == nil || bestTok <= 0 {
			// Untokenizable character: deleted (CoreNLP "firstDelete").
			_, size := firstRune(rest)
			pos += size
			continue
		}
		if out, ok := bestRule.action(rest[:bestTok]); ok {
			toks = append(toks, lowerENGLISH(out))
		}
		pos += bestTok
	}
	return toks
}

// asciiLetters returns the length of the run of ASCII letters at the
// start of s.
func asciiLetters(s string) int {
	n := 0
	for n < len(s) && (s[n]|0x20 >= 'a' && s[n]|0x20 <= 'z') {
		n++
	}
	return n
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

// lowerENGLISH approximates Java's String.toLowerCase(Locale.ENGLISH).
func lowerENGLISH(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

// PTBTokenize is the COCO pipeline's caption tokenization: PTB tokens,
// lowercased, with pycocoevalcap's punctuation list removed, joined by
// single spaces.
func PTBTokenize(caption string) string {
	toks := PTBTokens(caption)
	out := toks[:0]
	for _, t := range toks {
		if !ptbPunctuation[t] {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}
