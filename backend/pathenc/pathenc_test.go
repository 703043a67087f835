package pathenc

import "testing"

func TestRoundTrip(t *testing.T) {
	cases := []struct {
		name, in, want string
		escaped        bool
	}{
		{"ascii", "a/b c.jpg", "a/b c.jpg", false},
		{"emoji", "ü/🙂 'q' %.jpg", "ü/🙂 'q' %.jpg", false},
		{"backslash valid", `a\b.jpg`, `a\b.jpg`, false},
		{"latin1 byte", "caf\xe9.jpg", `caf\xe9.jpg`, true},
		{"latin1 and backslash", "a\\\xff", `a\\\xff`, true},
		{"literal x escape text", "\\xff\xfe", `\\xff\xfe`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, esc := Encode(c.in)
			if got != c.want || esc != c.escaped {
				t.Fatalf("Encode(%q) = %q,%v want %q,%v", c.in, got, esc, c.want, c.escaped)
			}
			back, err := Decode(got, esc)
			if err != nil || back != c.in {
				t.Fatalf("Decode(%q) = %q,%v want %q", got, back, err, c.in)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, s := range []string{`\`, `\x`, `\xg0`, `\q`, `\x1`} {
		if _, err := Decode(s, true); err == nil {
			t.Errorf("Decode(%q) accepted", s)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add("caf\xe9")
	f.Add(`a\b`)
	f.Fuzz(func(t *testing.T, s string) {
		enc, esc := Encode(s)
		back, err := Decode(enc, esc)
		if err != nil || back != s {
			t.Fatalf("round trip %q -> %q -> %q (%v)", s, enc, back, err)
		}
	})
}
