//go:build js && wasm

package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"github.com/valyala/fasttemplate"
	"sigs.k8s.io/yaml"
)

// baseTemplate carries the controller's function map (applicationset/utils/utils.go init):
// sprig's generic map without the functions that read the controller's environment, plus
// Argo CD's normalize, slugify, toYaml, fromYaml and fromYamlArray.
var baseTemplate *template.Template

func init() {
	funcs := sprig.GenericFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = sanitizeName
	funcs["slugify"] = slugifyName
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	baseTemplate = template.New("base").Funcs(funcs)
}

var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName is Argo CD's utils.SanitizeName: lower case, [^-a-z0-9.] to "-", at most 253
// bytes, then "-" and "." trimmed from both ends (after the cut, as there).
func sanitizeName(name string) string {
	name = strings.ToLower(name)
	name = invalidDNSNameChars.ReplaceAllString(name, "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// slugifyName is Argo CD's utils.SlugifyName: optional max length and smart-truncate flag
// first, the name last. Like there, a wrong argument type panics, which text/template turns
// into an "error calling slugify" error.
func slugifyName(args ...any) string {
	maxSize := 50
	smartTruncate := true
	name := ""
	for idx, arg := range args {
		switch idx {
		case len(args) - 1:
			name = arg.(string)
		case 0:
			maxSize = arg.(int)
		case 1:
			smartTruncate = arg.(bool)
		}
	}
	slug.EnableSmartTruncate = smartTruncate
	slug.MaxLength = maxSize
	return slug.Make(sanitizeName(name))
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(str string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(str string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		return nil, err
	}
	return a, nil
}

var isTemplatedRegex = regexp.MustCompile(".*{{.*}}.*")

// parsedTemplate is one template string parsed as the controller parses it, with the
// parameter paths it reads, or the controller's parse error.
type parsedTemplate struct {
	tmpl  *template.Template
	reads [][]string
	err   error
}

// parsed holds each distinct template string and option set parsed once: an ApplicationSet's
// fields are the same strings for every parameter set, and the controller's per-render
// clone of the sprig function map and parse produce the same template every time. Executing
// a parsed template does not change it.
var parsed = map[string]*parsedTemplate{}

func parseGoTemplate(tmpl string, options []string) *parsedTemplate {
	key := strings.Join(options, "\x00") + "\x01" + tmpl
	if p, ok := parsed[key]; ok {
		return p
	}
	p := &parsedTemplate{}
	parsed[key] = p
	cloned, err := baseTemplate.Clone()
	if err != nil {
		p.err = fmt.Errorf("failed to clone base template: %w", err)
		return p
	}
	for _, option := range options {
		cloned = cloned.Option(option)
	}
	p.tmpl, err = cloned.Parse(tmpl)
	if err != nil {
		p.err = fmt.Errorf("failed to parse template %s: %w", tmpl, err)
		return p
	}
	if p.tmpl.Tree != nil {
		collectReads(p.tmpl.Tree.Root, true, &p.reads)
	}
	return p
}

// replace is the controller's Render.Replace, with the parameter paths the template reads
// (for the tool's findings: where a rendered value came from).
func replace(tmpl string, params map[string]any, useGoTemplate bool, options []string) (string, [][]string, error) {
	if useGoTemplate {
		p := parseGoTemplate(tmpl, options)
		if p.err != nil {
			return "", nil, p.err
		}
		var out bytes.Buffer
		if err := p.tmpl.Execute(&out, params); err != nil {
			return "", p.reads, fmt.Errorf("failed to execute go template %s: %w", tmpl, err)
		}
		return out.String(), p.reads, nil
	}

	if !isTemplatedRegex.MatchString(tmpl) {
		return tmpl, nil, nil
	}
	fst, err := fasttemplate.NewTemplate(tmpl, "{{", "}}")
	if err != nil {
		return "", nil, fmt.Errorf("invalid template: %w", err)
	}
	var reads [][]string
	text := fst.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		replacement, ok := params[trimmed].(string)
		if trimmed == "" || !ok {
			return fmt.Fprintf(w, "{{%s}}", tag)
		}
		reads = append(reads, strings.Split(trimmed, "."))
		return w.Write([]byte(replacement))
	})
	return text, reads, nil
}

// collectReads lists the fields a template reads from its data: .a.b at the top level and
// $.a.b anywhere. Inside range and with, dot is something else, so only $ paths count there.
func collectReads(node parse.Node, topDot bool, out *[][]string) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, child := range n.Nodes {
			collectReads(child, topDot, out)
		}
	case *parse.ActionNode:
		collectReads(n.Pipe, topDot, out)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, cmd := range n.Cmds {
			collectReads(cmd, topDot, out)
		}
	case *parse.CommandNode:
		for _, arg := range n.Args {
			collectReads(arg, topDot, out)
		}
	case *parse.FieldNode:
		if topDot {
			*out = append(*out, append([]string(nil), n.Ident...))
		}
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			*out = append(*out, append([]string(nil), n.Ident[1:]...))
		}
	case *parse.IfNode:
		collectReads(n.Pipe, topDot, out)
		collectReads(n.List, topDot, out)
		collectReads(n.ElseList, topDot, out)
	case *parse.RangeNode:
		collectReads(n.Pipe, topDot, out)
		collectReads(n.List, false, out)
		collectReads(n.ElseList, topDot, out)
	case *parse.WithNode:
		collectReads(n.Pipe, topDot, out)
		collectReads(n.List, false, out)
		collectReads(n.ElseList, topDot, out)
	}
}

type renderRequest struct {
	ID         int      `json:"id"`
	GoTemplate bool     `json:"goTemplate"`
	Options    []string `json:"options"`
	Templates  []string `json:"templates"`
}

type renderResult struct {
	Text  string     `json:"text"`
	Reads [][]string `json:"reads,omitempty"`
	Error string     `json:"error,omitempty"`
}

func renderAll(req renderRequest, params map[string]any) []renderResult {
	results := make([]renderResult, len(req.Templates))
	for i, tmpl := range req.Templates {
		text, reads, err := replace(tmpl, params, req.GoTemplate, req.Options)
		results[i] = renderResult{Text: text, Reads: reads}
		if err != nil {
			results[i].Error = err.Error()
		}
	}
	return results
}
