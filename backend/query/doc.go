// Package query is Tagsight's search-bar language: it parses what the user
// types into an AST (Parse) and compiles it (Compile) into a SQL boolean
// expression over the entries table, aliased e, plus the semantic parts that
// rank the results and the requested sort. It does not run queries, embed
// text or apply the hidden-tag policy: it reports the tags the query names
// (Compiled.Tags, with their descendants and ancestors) and whether it has
// special:hidden, and the caller leaves out entries with other hidden tags,
// runs the KNN for Compiled.Semantic and orders by Compiled.Sort.
//
// The language is TagStudio's with its quirks fixed, plus EXIF terms and
// rclip-style semantic parts.
//
// # Structure
//
// Terms are separated by white space and joined by an implicit AND. AND, OR
// and NOT are keywords in any case (TagStudio's habit: "a or b", "aND");
// when that reading fails to compile and one was typed in lower or mixed
// case, Compile reads the query again with upper-case keywords only, so
// "a dog or a cat" stays a search by meaning. Parentheses group. Precedence is
// NOT > AND > OR. Parentheses always end a bare word: quote a value that
// contains one. Quotes (single or double) start a quoted string at the start
// of a term or right after a prefix ("tag:", "~", "-", "+2:"); a quote inside
// a word (dog's) is an ordinary character. Inside quotes, \" \' and \\
// escape; any other backslash is kept as is, so Windows paths survive.
//
// # Prefixes
//
// A prefix is a letter, then letters and underscores, followed by a colon
// (case-insensitive), and applies to the one term it is attached to. A word
// whose part before the first colon is not that (12:30) is a plain word; a
// word starting with a colon (:x) is an error, as are [ and ] in a bare word
// (TagStudio reserves them); letters naming no prefix are an error that lists
// the known ones. A prefix typed with nothing after its colon takes the next
// word as its value (path: holiday, special: untagged, tag: "a b"), unless
// that word is a keyword, starts with a colon or is a prefix term itself.
//
//	tag:NAME        the tag whose name, shorthand or alias equals NAME
//	                (case-insensitive, by equality: _ and % are literal), and
//	                every descendant through tag_parents (several parents,
//	                cycles allowed). A name that is no tag matches nothing;
//	                one with _ that is no tag is tried with spaces
//	                (tag:old_portrait finds "old portrait"), bare words too.
//	tag_id:N        the tag imported from TagStudio with tag id N, that tag
//	                only (TagStudio's rule: no descendants); needs a resolver
//	                with TagStudioIDs, else it matches nothing.
//	path:PATTERN    smart-case: case-insensitive unless PATTERN has an upper
//	                case letter. * is any run of characters, ? one character,
//	                everything else (_ % [) literal. A pattern with * must match
//	                the whole library-relative path; one without * matches a
//	                substring. Case folding is SQLite's: ASCII letters only.
//	type:T          media_type: image (also photo), video, audio, raw,
//	                document, archive, other; plurals accepted. pdf, text
//	                (code), font, ebook (comic), svg and model (3d) are told
//	                by extension, whatever the media type. mediatype: too,
//	                with TagStudio's names (plaintext, source_code, ...).
//	ext:E           the path ends in .E, ASCII case-insensitive; jpg = jpeg =
//	                jpe = jfif, tif = tiff, heic = heif. filetype: too.
//	special:untagged, is:untagged   entries with no tag at all.
//	special:hidden, is:hidden   not a filter: entries with hidden tags are
//	                shown too (otherwise only those whose hidden tags the
//	                query names, or names a relative of, are). Only at
//	                top-level AND positions, like sort:.
//	is:favourite, is:favorite, is:archived, and the bare words favourite,
//	                favorite, archived (any case): built-in tags 2 and 1 (with
//	                descendants).
//	taken:D         D is 2023, 2023-06 or 2023-06-01, meaning that whole
//	                period; >D (after the period), >=D, <D, <=D, D1..D2 (both
//	                ends inclusive, whole periods), D.. and ..D. Compared with
//	                the stored wall-clock text, offsets ignored. An unknown
//	                date ('') never matches. date: too.
//	camera:S        S is a substring of make + " " + model (ASCII
//	                case-insensitive). lens:S likewise for the lens.
//	iso:N, width:N, height:N   N, =N, >N, >=N, <N, <=N, N1..N2 (inclusive),
//	                N.., ..N. 0 means unknown and never matches.
//	size:S          like iso:, S a byte count with an optional unit b, k/kb,
//	                m/mb, g/gb, t/tb (kib.. too), all 1024-based: 1kb = 1024
//	                bytes, 1.5mb = 1572864. size:10mb means exactly that many
//	                bytes; use > < or .. for useful ranges.
//	duration:D      D is 90, 90s, 2m, 1.5m, 1h, 1:30 or 1:02:03; D alone is
//	                the whole unit typed (2m: 2:00 to 2:59.999, like taken:),
//	                >D, >=D, <D, <=D, D1..D2 (inclusive of D2 itself), D..,
//	                ..D. From entry_facts; unknown (0) never matches.
//	pages:N         like iso:, from entry_facts.
//	artist:S, album:S, title:S, author:S, genre:S, codec:S   S a substring
//	                of that fact (ASCII case-insensitive); codec: is the video
//	                or the audio codec.
//	sort:KEY        KEY taken, added, name (path too), size or random; a
//	                leading - sorts descending. Not a filter; the last wins.
//	sem:TEXT, ~TEXT, ~"TEXT"   a semantic part, weight 1.
//	like:PATH       an image (library path or any file) as a semantic part.
//
//	field:NAME      entries that have the field NAME (case-insensitive).
//	field:NAME=V    ... whose value contains V (ASCII case-insensitive; _ and
//	                % literal). Quote V (field:source="old scanner") or the
//	                whole (field:"my source=old scanner") for spaces.
//
// # Bare words and quotes
//
// A bare, unquoted word with no prefix is a tag when the TagResolver knows a
// tag by that name, shorthand or alias; otherwise it is a semantic word.
// Adjacent semantic words (sort: terms do not break adjacency) form one phrase:
// "dog on the beach" is one semantic part. A quoted string without prefix is a
// literal: the tag so named if there is one, otherwise a smart-case substring
// match on the path with * and ? taken literally; it is never semantic.
//
// # Semantic parts
//
// Semantic parts rank results and filter nothing. Weights follow rclip:
// +2:"golden retriever" (weight 2), -fruit or -"fruit" (weight -1),
// -0.5:"x", +word. A weight may also precede sem: and like: (-like:a.jpg).
// A leading - never negates a filter: use NOT. Semantic parts and sort:
// terms may only sit at top-level AND positions; under OR or NOT they are a
// SyntaxError, as is a bare word that turns out not to be a tag there.
//
// With Options.NoModel (a library without a model) a bare word that is no
// tag matches nothing, anywhere, as in TagStudio, and Compiled.Unmatched
// lists it; sem:, ~ and like: still ask for a model. When the library has
// text in its index (Options.Text), such a word matches the files whose
// text has it instead, as text:word does (Compiled.TextWords).
//
// # Errors
//
// Every error about the input is a *SyntaxError with a 1-based rune column
// and a length to underline. Parse and Compile never panic.
package query
