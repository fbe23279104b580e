//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jeremywohl/flatten"
	"sigs.k8s.io/yaml"
)

// The parameter shapes below follow applicationset/generators/git.go and list.go of Argo CD
// v3.5.7; the error texts carry the same wrapping, so a blocked ApplicationSet reads as the
// controller's status condition would.

type gitFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

type gitFilesRequest struct {
	RepoURL         string            `json:"repoURL"`
	Files           []gitFile         `json:"files"`
	Values          map[string]string `json:"values"`
	GoTemplate      bool              `json:"goTemplate"`
	Options         []string          `json:"options"`
	PathParamPrefix string            `json:"pathParamPrefix"`
}

func gitFilesParams(req gitFilesRequest) ([]map[string]any, error) {
	files := append([]gitFile(nil), req.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	var all []map[string]any
	for _, f := range files {
		params, err := paramsFromGitFile(f.Path, []byte(f.Content), req)
		if err != nil {
			return nil, fmt.Errorf("error generating params from git: unable to process file '%s' from repository '%s': %w", f.Path, req.RepoURL, err)
		}
		all = append(all, params...)
	}
	return all, nil
}

func paramsFromGitFile(filePath string, content []byte, req gitFilesRequest) ([]map[string]any, error) {
	objects := []map[string]any{}
	single := map[string]any{}
	if err := yaml.Unmarshal(content, &single); err == nil {
		objects = append(objects, single)
	} else if err := yaml.Unmarshal(content, &objects); err != nil {
		return nil, fmt.Errorf("unable to parse file: %w", err)
	}

	res := []map[string]any{}
	for _, object := range objects {
		params := map[string]any{}
		if req.GoTemplate {
			maps.Copy(params, object)
			dir := path.Dir(filePath)
			info := map[string]any{
				"path":               dir,
				"basename":           path.Base(dir),
				"filename":           path.Base(filePath),
				"basenameNormalized": sanitizeName(path.Base(dir)),
				"filenameNormalized": sanitizeName(path.Base(filePath)),
				"segments":           strings.Split(dir, "/"),
			}
			if req.PathParamPrefix != "" {
				params[req.PathParamPrefix] = map[string]any{"path": info}
			} else {
				params["path"] = info
			}
		} else {
			flat, err := flatten.Flatten(object, "", flatten.DotStyle)
			if err != nil {
				return nil, fmt.Errorf("error flattening object: %w", err)
			}
			for k, v := range flat {
				params[k] = fmt.Sprintf("%v", v)
			}
			name := "path"
			if req.PathParamPrefix != "" {
				name = req.PathParamPrefix + "." + name
			}
			dir := path.Dir(filePath)
			params[name] = dir
			params[name+".basename"] = path.Base(dir)
			params[name+".filename"] = path.Base(filePath)
			params[name+".basenameNormalized"] = sanitizeName(path.Base(dir))
			params[name+".filenameNormalized"] = sanitizeName(path.Base(filePath))
			addSegments(params, name, dir)
		}
		if err := appendTemplatedValues(req.Values, params, req.GoTemplate, req.Options); err != nil {
			return nil, fmt.Errorf("failed to append templated values: %w", err)
		}
		res = append(res, params)
	}
	return res, nil
}

func addSegments(params map[string]any, name, dir string) {
	for k, v := range strings.Split(dir, "/") {
		if v != "" {
			params[name+"["+strconv.Itoa(k)+"]"] = v
		}
	}
}

type gitDirectoriesRequest struct {
	Paths           []string          `json:"paths"`
	Values          map[string]string `json:"values"`
	GoTemplate      bool              `json:"goTemplate"`
	Options         []string          `json:"options"`
	PathParamPrefix string            `json:"pathParamPrefix"`
}

func gitDirectoriesParams(req gitDirectoriesRequest) ([]map[string]any, error) {
	res := make([]map[string]any, len(req.Paths))
	for i, dir := range req.Paths {
		params := make(map[string]any, 5)
		if req.GoTemplate {
			info := map[string]any{
				"path":               dir,
				"basename":           path.Base(dir),
				"basenameNormalized": sanitizeName(path.Base(dir)),
				"segments":           strings.Split(dir, "/"),
			}
			if req.PathParamPrefix != "" {
				params[req.PathParamPrefix] = map[string]any{"path": info}
			} else {
				params["path"] = info
			}
		} else {
			name := "path"
			if req.PathParamPrefix != "" {
				name = req.PathParamPrefix + "." + name
			}
			params[name] = dir
			params[name+".basename"] = path.Base(dir)
			params[name+".basenameNormalized"] = sanitizeName(path.Base(dir))
			addSegments(params, name, dir)
		}
		if err := appendTemplatedValues(req.Values, params, req.GoTemplate, req.Options); err != nil {
			return nil, fmt.Errorf("error generating params from git: error generating params from apps: failed to append templated values: %w", err)
		}
		res[i] = params
	}
	return res, nil
}

// appendTemplatedValues renders the generator's values against the parameters so far; they
// are added only after all of them rendered, so one value cannot read another.
func appendTemplatedValues(values map[string]string, params map[string]any, useGoTemplate bool, options []string) error {
	tmp := map[string]any{}
	for key, value := range values {
		result, _, err := replace(value, params, useGoTemplate, options)
		if err != nil {
			return fmt.Errorf("failed to replace templated string: failed to replace templated string with rendered values: %w", err)
		}
		if useGoTemplate {
			if tmp["values"] == nil {
				tmp["values"] = map[string]string{}
			}
			tmp["values"].(map[string]string)[key] = result
		} else {
			tmp["values."+key] = result
		}
	}
	maps.Copy(params, tmp)
	return nil
}

type listRequest struct {
	Elements     []json.RawMessage `json:"elements"`
	ElementsYaml string            `json:"elementsYaml"`
	GoTemplate   bool              `json:"goTemplate"`
}

func listParams(req listRequest) ([]map[string]any, error) {
	res := make([]map[string]any, len(req.Elements))
	for i, raw := range req.Elements {
		params := map[string]any{}
		var element map[string]any
		err := json.Unmarshal(raw, &element)
		if err != nil {
			return nil, fmt.Errorf("error unmarshling list element %w", err)
		}
		if req.GoTemplate {
			res[i] = element
			continue
		}
		for key, value := range element {
			if key == "values" {
				values, ok := value.(map[string]any)
				if !ok {
					return nil, errors.New("error parsing values map")
				}
				for k, v := range values {
					s, ok := v.(string)
					if !ok {
						return nil, fmt.Errorf("error parsing value as string %w", err)
					}
					params["values."+k] = s
				}
			} else {
				s, ok := value.(string)
				if !ok {
					return nil, fmt.Errorf("error parsing value as string %w", err)
				}
				params[key] = s
			}
			res[i] = params
		}
	}
	if req.ElementsYaml != "" {
		var elements []map[string]any
		if err := yaml.Unmarshal([]byte(req.ElementsYaml), &elements); err != nil {
			return nil, fmt.Errorf("error unmarshling decoded ElementsYaml %w", err)
		}
		res = append(res, elements...)
	}
	return res, nil
}

// flattenParameters is generator_spec_processor.go's: the labels a post-selector sees. Only
// leaves get a key; each value is printed with %v (1e+06, true, <nil>, [a b]).
func flattenParameters(in map[string]any) (map[string]string, error) {
	flat, err := flatten.Flatten(normalizeMapForFlatten(in), "", flatten.DotStyle)
	if err != nil {
		return nil, fmt.Errorf("error flatenning parameters: %w", err)
	}
	out := make(map[string]string, len(flat))
	for k, v := range flat {
		out[k] = fmt.Sprintf("%v", v)
	}
	return out, nil
}

func normalizeMapForFlatten(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		switch cast := v.(type) {
		case map[string]string:
			inner := make(map[string]any, len(cast))
			for ik, iv := range cast {
				inner[ik] = iv
			}
			out[k] = inner
		case map[string]any:
			out[k] = normalizeMapForFlatten(cast)
		default:
			out[k] = v
		}
	}
	return out
}
