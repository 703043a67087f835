package query

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"word", "dog", "dog"},
		{"implicit and", "dog beach", "(AND dog beach)"},
		{"explicit and", "a AND b", "(AND a b)"},
		{"lowercase keywords", "a and b", "(AND a b)"},
		{"mixed-case keywords", "a aND b Or NoT c", "(OR (AND a b) (NOT c))"},
		{"keyword-like words", "andy nots", "(AND andy nots)"},
		{"tag_id", "tag_id:1011", "tag_id:1011"},
		{"tag_id prefix case", "TAG_ID:7", "tag_id:7"},
		{"filetype single quotes", "filetype:'jpg'", `ext:"jpg"`},
		{"tag single quotes", "tag:'Foo Bar'", `tag:"Foo Bar"`},
		{"or binds loosest", "a OR b c", "(OR a (AND b c))"},
		{"not binds tightest", "NOT a b", "(AND (NOT a) b)"},
		{"and not", "a AND NOT b", "(AND a (NOT b))"},
		{"parens", "(a OR b) c", "(AND (OR a b) c)"},
		{"flatten or", "a OR (b OR c)", "(OR a b c)"},
		{"flatten and", "a (b c)", "(AND a b c)"},
		{"double not", "NOT NOT a", "(NOT (NOT a))"},
		{"blank", "   ", "<nil>"},
		{"double quotes escapes", `"a \"b\""`, `"a \"b\""`},
		{"single quotes escape", `'it\'s'`, `"it's"`},
		{"backslash kept", `"C:\photos"`, `"C:\\photos"`},
		{"escaped backslash", `"a\\"`, `"a\\"`},
		{"apostrophe in word", "dog's toy", "(AND dog's toy)"},
		{"tag", "tag:Dogs", `tag:"Dogs"`},
		{"tag quoted", `tag:"golden retriever"`, `tag:"golden retriever"`},
		{"prefix case", "TAG:x", `tag:"x"`},
		{"prefix one term", "tag:a b", `(AND tag:"a" b)`},
		{"tag literal underscore", "tag:100%_x", `tag:"100%_x"`},
		{"path glob", "path:*.jpg", `path:"*.jpg"`},
		{"path quoted", `path:'my dir'`, `path:"my dir"`},
		{"type photo", "type:photo", `type:"image"`},
		{"type plural", "type:Videos", `type:"video"`},
		{"mediatype alias", "mediatype:raw", `type:"raw"`},
		{"ext dot", "ext:.JPG", `ext:"jpg"`},
		{"special untagged", "special:untagged", "is:untagged"},
		{"is favorite", "is:favorite", "is:favourite"},
		{"bare favourite", "Favourite", "is:favourite"},
		{"bare favorite", "favorite", "is:favourite"},
		{"bare archived", "archived", "is:archived"},
		{"taken year", "taken:2023", "taken:[2023-01-01,2024-01-01)"},
		{"taken month", "taken:2023-06", "taken:[2023-06-01,2023-07-01)"},
		{"taken december", "taken:2023-12", "taken:[2023-12-01,2024-01-01)"},
		{"taken day", "taken:2023-06-01", "taken:[2023-06-01,2023-06-02)"},
		{"taken short month", "taken:2024-2-29", "taken:[2024-02-29,2024-03-01)"},
		{"taken ge", "taken:>=2023-06-01", "taken:[2023-06-01,)"},
		{"taken gt", "taken:>2023-06", "taken:[2023-07-01,)"},
		{"taken lt", "taken:<2024", "taken:[,2024-01-01)"},
		{"taken le", "taken:<=2023", "taken:[,2024-01-01)"},
		{"taken range", "taken:2023-06..2023-08", "taken:[2023-06-01,2023-09-01)"},
		{"taken open range", "taken:2023..", "taken:[2023-01-01,)"},
		{"taken last year", "taken:9999", "taken:[9999-01-01,9999-12-31~)"},
		{"date alias", "date:2020", "taken:[2020-01-01,2021-01-01)"},
		{"camera", "camera:canon", `camera:"canon"`},
		{"lens quoted", `lens:"50mm f/1.8"`, `lens:"50mm f/1.8"`},
		{"iso gt", "iso:>800", "iso:[801,]"},
		{"iso range", "iso:100..400", "iso:[100,400]"},
		{"iso eq", "iso:200", "iso:[200,200]"},
		{"iso le", "iso:<=200", "iso:[,200]"},
		{"iso open", "iso:..400", "iso:[,400]"},
		{"width", "width:>3000", "width:[3001,]"},
		{"height", "height:<1000", "height:[,999]"},
		{"size mb", "size:>10mb", "size:[10485761,]"},
		{"size kb", "size:1kb", "size:[1024,1024]"},
		{"size fraction", "size:1.5k", "size:[1536,1536]"},
		{"size gb range", "size:1G..2GB", "size:[1073741824,2147483648]"},
		{"size bytes", "size:<100", "size:[,99]"},
		{"field has", "field:Source", `field:"Source"`},
		{"field value", "field:source=scanner", `field:"source"="scanner"`},
		{"field quoted value", `field:source="old scanner"`, `field:"source"="old scanner"`},
		{"field all quoted", `field:"my source=old scanner"`, `field:"my source"="old scanner"`},
		{"field value with equals", "field:a=b=c", `field:"a"="b=c"`},
		{"sort", "sort:taken", "sort:taken"},
		{"sort desc", "sort:-taken", "sort:-taken"},
		{"sort path is name", "sort:path", "sort:name"},
		{"tilde word", "~dog", `sem(1):"dog"`},
		{"tilde quoted", `~"a b"`, `sem(1):"a b"`},
		{"tilde keeps colons", "~foo:bar", `sem(1):"foo:bar"`},
		{"sem prefix", `sem:"x y"`, `sem(1):"x y"`},
		{"weight", `+2:"golden retriever"`, `sem(2):"golden retriever"`},
		{"weight word", `+2:dog`, `sem(2):"dog"`},
		{"plus", "+dog", `sem(1):"dog"`},
		{"negative word", "-fruit", `sem(-1):"fruit"`},
		{"negative quoted", `-"fruit"`, `sem(-1):"fruit"`},
		{"negative weight", `-0.5:"x"`, `sem(-0.5):"x"`},
		{"negative sem", `-sem:x`, `sem(-1):"x"`},
		{"like", "like:a/b.jpg", `like(1):"a/b.jpg"`},
		{"like windows path", `like:C:\x.jpg`, `like(1):"C:\\x.jpg"`},
		{"like negative", "-like:x.jpg", `like(-1):"x.jpg"`},
		{"like weighted quoted", `+2:like:"a b.jpg"`, `like(2):"a b.jpg"`},
		{"digits colon is word", "12:30", "12:30"},
		{"hyphen inside word", "t-shirt", "t-shirt"},
		{"unicode", "ça tag:été", `(AND ça tag:"été")`},
		{"quote closes then word", `tag:"a"b`, `(AND tag:"a" b)`},
		{"paren ends word", "(tag:a OR tag:b)", `(OR tag:"a" tag:"b")`},
		{"semantic at top with filter", "dog tag:x -cat", `(AND dog tag:"x" sem(-1):"cat")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			got := "<nil>"
			if n != nil {
				got = n.String()
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSpans(t *testing.T) {
	n, err := Parse(`été tag:"a b" (x OR NOT y)`)
	if err != nil {
		t.Fatal(err)
	}
	a := n.(*And)
	want := [][2]int{{1, 3}, {5, 9}, {16, 10}}
	for i, it := range a.Items {
		c, l := it.Span()
		if c != want[i][0] || l != want[i][1] {
			t.Errorf("item %d %s: span %d+%d, want %d+%d", i, it, c, l, want[i][0], want[i][1])
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		col, n   int
		msg      string
	}{
		{"missing close paren", "(a", 1, 1, "missing closing parenthesis"},
		{"lowercase and last", "a and", 3, 3, "AND needs a term after it"},
		{"leading colon", ":x", 1, 1, "a colon needs a prefix"},
		{"bracket in word", "asd[]", 4, 1, "[ and ] are reserved"},
		{"closing bracket in word", "asd]", 4, 1, "[ and ] are reserved"},
		{"tag_id not a number", "tag_id:abc", 8, 3, "bad tag id"},
		{"tag_id negative", "tag_id:-1", 8, 2, "bad tag id"},
		{"missing close paren nested", "a ((b) c", 3, 1, "missing closing parenthesis"},
		{"open paren at end", "a (", 3, 1, "missing closing parenthesis"},
		{"unmatched close paren", "a)", 2, 1, "unmatched closing parenthesis"},
		{"close paren first", ") a", 1, 1, "unmatched closing parenthesis"},
		{"empty parens", "a ( )", 3, 3, "empty parentheses"},
		{"unterminated double", `"abc`, 1, 4, "unterminated quote"},
		{"unterminated single after word", `a 'b`, 3, 2, "unterminated quote"},
		{"unterminated after prefix", `tag:"ab`, 5, 3, "unterminated quote"},
		{"escaped quote leaves it open", `"ab\"`, 1, 5, "unterminated quote"},
		{"unterminated multibyte", `é "ü`, 3, 2, "unterminated quote"},
		{"and first", "AND a", 1, 3, "AND needs a term before it"},
		{"and last", "a AND", 3, 3, "AND needs a term after it"},
		{"or last", "a OR", 3, 2, "OR needs a term after it"},
		{"or or", "a OR OR b", 3, 2, "OR needs a term after it"},
		{"or first", "OR b", 1, 2, "OR needs a term before it"},
		{"and before paren", "(a AND) b", 4, 3, "AND needs a term after it"},
		{"not alone", "NOT", 1, 3, "NOT needs a term after it"},
		{"not last", "a NOT", 3, 3, "NOT needs a term after it"},
		{"not before or", "a NOT OR b", 3, 3, "NOT needs a term after it"},
		{"empty prefix", "tag:", 1, 4, "tag: needs a value"},
		{"empty quoted prefix", `path:""`, 1, 7, "path: needs a value"},
		{"empty quotes", `a ""`, 3, 2, "empty quotes"},
		{"unknown prefix", "foo:bar", 1, 4, `unknown prefix "foo:"`},
		{"unknown prefix lists known", "http://x", 1, 5, "known prefixes: tag:"},
		{"field empty", "field:", 1, 6, "field: needs a value"},
		{"field empty quoted", `field:""`, 1, 8, "field: needs a value"},
		{"field no name", "field:=x", 1, 8, "needs a field name"},
		{"field no value", "field:source=", 1, 13, "needs a value after ="},
		{"field weighted", "-field:a=b", 1, 1, "use NOT"},
		{"bad month", "taken:2023-13", 7, 7, "month must be 01-12"},
		{"bad day", "taken:2023-02-30", 7, 10, "has no day 30"},
		{"bad date", "taken:june", 7, 4, "bad date"},
		{"bad date after op", "taken:>=20x", 9, 3, "bad date"},
		{"bad range end", "taken:2023..2023-1x", 13, 7, "bad date"},
		{"reversed date range", "taken:2024..2023", 7, 10, "start is after the end"},
		{"empty range", "iso:..", 5, 2, "bad range"},
		{"bad number", "iso:abc", 5, 3, "bad number"},
		{"bad number after op", "iso:>abc", 6, 3, "bad number"},
		{"negative number", "width:-5", 7, 2, "bad number"},
		{"huge number", "iso:99999999999999999999", 5, 20, "bad number"},
		{"reversed range", "iso:400..100", 5, 8, "start is larger"},
		{"bad range part", "iso:100..x", 10, 1, "bad number"},
		{"op then range", "iso:>1..2", 6, 4, "bad number"},
		{"unknown size unit", "size:10xb", 6, 4, "unknown size unit"},
		{"bad size", "size:1.2.3mb", 6, 7, "bad size"},
		{"bad quoted value spans quotes", `size:"10 xb"`, 6, 7, "bad size"},
		{"unknown type", "type:foo", 6, 3, "unknown type"},
		{"bad ext", "ext:tar.gz", 5, 6, "bad extension"},
		{"unknown special", "special:foo", 9, 3, "unknown special"},
		{"unknown is", "is:foo", 4, 3, "unknown is:"},
		{"unknown sort", "sort:foo", 6, 3, "unknown sort key"},
		{"semantic under or", "dog OR ~cat", 8, 4, "only be combined with AND"},
		{"semantic under not", "NOT -fruit", 5, 6, "only be combined with AND"},
		{"like under or", "(a OR like:x.jpg) b", 7, 10, "only be combined with AND"},
		{"sort under or", "tag:x OR sort:taken", 10, 10, "sort: can only"},
		{"minus on tag", "-tag:x", 1, 1, "use NOT"},
		{"minus on unknown prefix", "-foo:x", 2, 4, "unknown prefix"},
		{"minus alone", "a - b", 3, 1, "- needs a word"},
		{"tilde alone", "~", 1, 1, "~ needs a word"},
		{"tilde before prefix quote", `~tag:"x"`, 1, 8, "~ forces"},
		{"zero weight", `+0:"x"`, 1, 3, "weight of 0"},
		{"bad weight", `+1.2.3:"x"`, 1, 7, "bad weight"},
		{"weight without text", "+2:", 1, 3, "needs a word"},
		{"like empty", "like:", 1, 5, "like: needs a value"},
		{"multibyte column", "été (a", 5, 1, "missing closing parenthesis"},
		{"too deep", strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), 101, 1, "nested too deeply"},
		{"too many nots", strings.Repeat("NOT ", 200) + "a", 401, 3, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error = %v, want *SyntaxError", tt.in, err)
			}
			if se.Col != tt.col || se.Len != tt.n || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Parse(%q) = col %d len %d %q, want col %d len %d containing %q", tt.in, se.Col, se.Len, se.Msg, tt.col, tt.n, tt.msg)
			}
			if want := "column "; !strings.HasPrefix(se.Error(), want) {
				t.Errorf("Error() = %q", se.Error())
			}
		})
	}
}
