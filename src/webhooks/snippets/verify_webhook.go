// Package webhookverify checks Didit-style webhook deliveries (X-Signature, X-Signature-V2,
// X-Signature-Simple). Self-contained: Go's standard library only, no dependency on
// facematch-mcp. It is its own package: save it as webhookverify/verify_webhook.go (a folder of
// its own inside your module, not beside main.go), import "<your module path>/webhookverify"
// and pass the raw request body:
//
//	body, _ := io.ReadAll(r.Body)
//	res := webhookverify.VerifyWebhook(body, r.Header, os.Getenv("FACEMATCH_WEBHOOK_SECRET"), nil)
//	if !res.Valid { http.Error(w, res.Reason, http.StatusUnauthorized); return }
//
// X-Signature    = HMAC-SHA256(secret, raw body bytes)
// X-Signature-V2 = HMAC-SHA256(secret, the body re-dumped as Python's json.dumps(sort_keys=True,
//
//	separators=(",", ":"), ensure_ascii=False) after whole-valued floats became ints)
//
// X-Signature-Simple = HMAC-SHA256(secret, "{timestamp}:{session_id}:{status}:{webhook_type}");
// it does not cover the decision or metadata, so it counts only with AllowSimple.
package webhookverify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Result says whether a delivery is authentic and fresh, which signature matched, and why not.
type Result struct {
	Valid     bool
	Matched   string // "X-Signature", "X-Signature-V2", "X-Signature-Simple" or ""
	Reason    string
	Timestamp int64
}

// Options tune the check; nil means defaults (now, 300 s, no simple-only acceptance).
type Options struct {
	Now              *int64
	ToleranceSeconds int64
	AllowSimple      bool
}

type entry struct {
	key   string
	value interface{}
}

// object keeps the entries of a JSON object in order; numbers stay json.Number (exact text).
type object []entry

func readValue(dec *json.Decoder) (interface{}, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			obj := object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("expected a key")
				}
				v, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, entry{key, v})
			}
			_, err := dec.Token()
			return obj, err
		}
		if t == '[' {
			arr := []interface{}{}
			for dec.More() {
				v, err := readValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, errors.New("unexpected delimiter")
	default:
		return t, nil
	}
}

func parse(body []byte) (interface{}, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

// pythonFloat is Python's repr() of a non-whole float: shortest digits, Python's exponent rules.
func pythonFloat(x float64) string {
	sign := ""
	if x < 0 {
		sign = "-"
		x = -x
	}
	s := strconv.FormatFloat(x, 'e', -1, 64) // d.dddde±XX
	parts := strings.SplitN(s, "e", 2)
	digits := strings.Replace(parts[0], ".", "", 1)
	exp, _ := strconv.Atoi(parts[1])
	if exp >= -4 && exp < 16 {
		if exp < 0 {
			return sign + "0." + strings.Repeat("0", -exp-1) + digits
		}
		for len(digits) < exp+1 {
			digits += "0"
		}
		frac := digits[exp+1:]
		if frac == "" {
			frac = "0"
		}
		return sign + digits[:exp+1] + "." + frac
	}
	mant := digits
	if len(digits) > 1 {
		mant = digits[:1] + "." + digits[1:]
	}
	esign := "+"
	if exp < 0 {
		esign = "-"
		exp = -exp
	}
	return fmt.Sprintf("%s%se%s%02d", sign, mant, esign, exp)
}

func pythonNumber(n json.Number) (string, error) {
	raw := string(n)
	if !strings.ContainsAny(raw, ".eE") {
		i, ok := new(big.Int).SetString(raw, 10)
		if !ok {
			return "", errors.New("bad integer")
		}
		return i.String(), nil
	}
	x, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(x, 0) {
		return "", errors.New("number out of range")
	}
	if x == math.Trunc(x) {
		i, _ := new(big.Float).SetFloat64(x).Int(nil)
		return i.String(), nil
	}
	return pythonFloat(x), nil
}

// quote writes a string as Python's json.dumps(ensure_ascii=False) does.
func quote(s string, out *strings.Builder) {
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(out, `\u%04x`, r)
			} else {
				out.WriteRune(r)
			}
		}
	}
	out.WriteByte('"')
}

func canonical(v interface{}, out *strings.Builder) error {
	switch t := v.(type) {
	case object:
		last := map[string]interface{}{}
		for _, e := range t {
			last[e.key] = e.value
		}
		keys := make([]string, 0, len(last))
		for k := range last {
			keys = append(keys, k)
		}
		sort.Strings(keys) // byte order of UTF-8 = code point order, as Python sorts
		out.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				out.WriteByte(',')
			}
			quote(k, out)
			out.WriteByte(':')
			if err := canonical(last[k], out); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	case []interface{}:
		out.WriteByte('[')
		for i, item := range t {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := canonical(item, out); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case string:
		quote(t, out)
	case json.Number:
		s, err := pythonNumber(t)
		if err != nil {
			return err
		}
		out.WriteString(s)
	case bool:
		if t {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	default:
		return errors.New("unexpected value")
	}
	return nil
}

func pythonStr(v interface{}, present bool) string {
	if !present {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		raw := string(t)
		if strings.ContainsAny(raw, ".eE") {
			x, _ := strconv.ParseFloat(raw, 64)
			if x == math.Trunc(x) {
				return strconv.FormatFloat(x, 'f', 1, 64)
			}
			return pythonFloat(x)
		}
		return raw
	case bool:
		if t {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	}
	return ""
}

func sameHMAC(secret string, message []byte, signature string) bool {
	want, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(want) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	return hmac.Equal(mac.Sum(nil), want)
}

// VerifyWebhook checks a delivery from its raw body bytes and headers.
func VerifyWebhook(rawBody []byte, headers http.Header, secret string, opts *Options) Result {
	if opts == nil {
		opts = &Options{}
	}
	tolerance := opts.ToleranceSeconds
	if tolerance <= 0 {
		tolerance = 300
	}
	no := func(reason string, ts int64) Result { return Result{Reason: reason, Timestamp: ts} }
	if secret == "" {
		return no("no secret configured: set the destination's secret_shared_key", 0)
	}
	sig, sigV2, sigSimple := headers.Get("X-Signature"), headers.Get("X-Signature-V2"), headers.Get("X-Signature-Simple")
	if sig == "" && sigV2 == "" && sigSimple == "" {
		return no("no X-Signature, X-Signature-V2 or X-Signature-Simple header", 0)
	}
	root, perr := parse(rawBody)
	fields := map[string]interface{}{}
	if obj, ok := root.(object); ok {
		for _, e := range obj {
			fields[e.key] = e.value
		}
	}
	tsText := headers.Get("X-Timestamp")
	if v, ok := fields["timestamp"]; ok {
		tsText = pythonStr(v, true)
	}
	var ts int64
	if f, err := strconv.ParseFloat(tsText, 64); err == nil {
		ts = int64(f)
	}

	matched := ""
	if sameHMAC(secret, rawBody, sig) {
		matched = "X-Signature"
	} else if perr == nil && sigV2 != "" {
		var b strings.Builder
		if canonical(root, &b) == nil && sameHMAC(secret, []byte(b.String()), sigV2) {
			matched = "X-Signature-V2"
		}
	}
	if matched == "" && opts.AllowSimple && perr == nil && sigSimple != "" {
		parts := []string{tsText}
		for _, k := range []string{"session_id", "status", "webhook_type"} {
			v, ok := fields[k]
			parts = append(parts, pythonStr(v, ok))
		}
		if sameHMAC(secret, []byte(strings.Join(parts, ":")), sigSimple) {
			matched = "X-Signature-Simple"
		}
	}
	if matched == "" {
		if perr != nil {
			return no("signature mismatch and the body is not valid JSON: it was changed or truncated, or the secret is wrong", ts)
		}
		if sig != "" || sigV2 != "" {
			return no("signature mismatch: wrong secret, or the body was changed after signing (verify the raw bytes, before any JSON parsing)", ts)
		}
		return no("only X-Signature-Simple was sent; set AllowSimple to accept it", ts)
	}
	if ts == 0 {
		return no("no usable timestamp in the body or the X-Timestamp header", 0)
	}
	now := time.Now().Unix()
	if opts.Now != nil {
		now = *opts.Now
	}
	if d := now - ts; d > tolerance || -d > tolerance {
		return no(fmt.Sprintf("timestamp %d is %d s from now, outside the %d s tolerance (replayed or delayed)", ts, d, tolerance), ts)
	}
	return Result{Valid: true, Matched: matched, Timestamp: ts}
}
