package wsdeflate

// extension is one element of a Sec-WebSocket-Extensions list (RFC 6455
// section 9.1): a name and its parameters.
type extension struct {
	name   string
	params []param
	// malformed reports that the element broke the header's syntax; name
	// and params then hold what was read before the fault.
	malformed bool
}

// param is an extension parameter. A quoted-string value is unescaped.
type param struct {
	name, value string
	hasValue    bool
}

// parseExtensions splits the values of Sec-WebSocket-Extensions fields
// into their elements, in order. A syntax error spoils only the element
// it is in, which is returned marked malformed; parsing resumes at the
// next comma outside a quoted string. Empty elements are skipped, as the
// list rule of RFC 9110 section 5.6.1 asks.
func parseExtensions(values []string) []extension {
	var exts []extension
	for _, v := range values {
		for i := 0; ; {
			i = skipSpace(v, i)
			if i == len(v) {
				break
			}
			if v[i] == ',' {
				i++
				continue
			}
			ext, next, ok := parseElement(v, i)
			if !ok {
				ext.malformed = true
				next = skipElement(v, i)
			}
			exts = append(exts, ext)
			i = next
		}
	}
	return exts
}

// parseElement parses the element that starts at v[i] and returns it with
// the index of the comma or end that follows it; ok is false on a syntax
// error.
func parseElement(v string, i int) (ext extension, next int, ok bool) {
	ext.name, i = token(v, i)
	if ext.name == "" {
		return ext, i, false
	}
	for {
		i = skipSpace(v, i)
		if i == len(v) || v[i] == ',' {
			return ext, i, true
		}
		if v[i] != ';' {
			return ext, i, false
		}
		var p param
		p.name, i = token(v, skipSpace(v, i+1))
		if p.name == "" {
			return ext, i, false
		}
		if j := skipSpace(v, i); j < len(v) && v[j] == '=' {
			p.hasValue = true
			i = skipSpace(v, j+1)
			if i < len(v) && v[i] == '"' {
				p.value, i, ok = quotedString(v, i)
				if !ok {
					return ext, i, false
				}
			} else if p.value, i = token(v, i); p.value == "" {
				return ext, i, false
			}
		}
		ext.params = append(ext.params, p)
	}
}

// skipElement returns the index of the first comma at or after v[i] that
// is not inside a quoted string, or len(v).
func skipElement(v string, i int) int {
	quoted := false
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			return i
		}
	}
	return len(v)
}

// token returns the token that starts at v[i] (empty if none) and the
// index after it.
func token(v string, i int) (string, int) {
	j := i
	for j < len(v) && isTokenChar(v[j]) {
		j++
	}
	return v[i:j], j
}

// quotedString unescapes the quoted-string that starts at v[i], the
// opening quote, and returns it with the index after the closing quote.
func quotedString(v string, i int) (s string, next int, ok bool) {
	var b []byte
	for i++; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			return string(b), i + 1, true
		case c == '\\':
			if i++; i == len(v) || !isQuotedChar(v[i]) && v[i] != '"' && v[i] != '\\' {
				return "", i, false
			}
			b = append(b, v[i])
		case isQuotedChar(c):
			b = append(b, c)
		default:
			return "", i, false
		}
	}
	return "", i, false
}

func skipSpace(v string, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
		i++
	}
	return i
}

// isTokenChar reports whether c is a tchar of RFC 9110 section 5.6.2.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// isQuotedChar reports whether c may stand unescaped in a quoted-string
// (qdtext of RFC 9110 section 5.6.4, obs-text included).
func isQuotedChar(c byte) bool {
	return c == '\t' || c == ' ' || c == '!' || (c >= '#' && c <= '[') || (c >= ']' && c <= '~') || c >= 0x80
}
