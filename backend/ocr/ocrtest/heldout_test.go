package ocrtest

import (
	"reflect"
	"testing"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"Hello World", []string{"hello", "world"}},
		{"HelloWorld", []string{"helloworld"}},
		{"Total due: $1,250.00", []string{"total", "due", "1", "250", "00"}},
		{"价格 Price 128元", []string{"价格", "price", "128", "元"}},
		{"今天天气", []string{"今天", "天天", "天气"}},
	} {
		if got := Words(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Words(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWordHits(t *testing.T) {
	for _, c := range []struct {
		got, want   string
		hits, total int
	}{
		{"Hello World", "Hello World", 2, 2},
		{"HelloWorld", "Hello World", 0, 2},
		{"hello hello", "Hello World hello", 2, 3},
		{"", "a b", 0, 2},
	} {
		if h, n := WordHits(c.got, c.want); h != c.hits || n != c.total {
			t.Errorf("WordHits(%q, %q) = %d/%d, want %d/%d", c.got, c.want, h, n, c.hits, c.total)
		}
	}
}
