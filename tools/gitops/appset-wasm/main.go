//go:build js && wasm

// Command appset-wasm is the ApplicationSet controller's parameter and template engine, built
// to WebAssembly for the gitops CLI. It links the same libraries as Argo CD v3.5.7 (Go's
// text/template, sprig, fasttemplate, sigs.k8s.io/yaml, jeremywohl/flatten, gosimple/slug) at
// the same versions, so that a template renders byte for byte as the controller renders it:
// a TypeScript re-implementation of Go templates and sprig could only approximate that.
//
// It exposes one JavaScript function, globalThis.gitopsAppset(op, requestJSON) -> responseJSON.
// Parameter sets stay on this side (referenced by id) so that their Go types (float64 numbers,
// []string segments, map[string]string values) are the controller's, not a JSON round trip's.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
)

// store holds the parameter sets not yet released, by id. Ids are never reused, so two
// expansions running at once (a diff's base and head) cannot see each other's sets.
var (
	store  = map[int]map[string]any{}
	nextID int
)

type paramSet struct {
	ID     int            `json:"id"`
	Params map[string]any `json:"params"`
}

func keep(params []map[string]any) []paramSet {
	out := make([]paramSet, 0, len(params))
	for _, p := range params {
		store[nextID] = p
		out = append(out, paramSet{ID: nextID, Params: p})
		nextID++
	}
	return out
}

func lookup(id int) (map[string]any, error) {
	params, ok := store[id]
	if !ok {
		return nil, fmt.Errorf("unknown parameter set %d", id)
	}
	return params, nil
}

type errorResponse struct {
	Error string `json:"error"`
}

func handle(op string, request []byte) (any, error) {
	switch op {
	case "release":
		var req struct {
			IDs []int `json:"ids"`
		}
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		for _, id := range req.IDs {
			delete(store, id)
		}
		return struct{}{}, nil
	case "gitFiles":
		var req gitFilesRequest
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		params, err := gitFilesParams(req)
		if err != nil {
			return errorResponse{err.Error()}, nil
		}
		return map[string]any{"sets": keep(params)}, nil
	case "gitDirectories":
		var req gitDirectoriesRequest
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		params, err := gitDirectoriesParams(req)
		if err != nil {
			return errorResponse{err.Error()}, nil
		}
		return map[string]any{"sets": keep(params)}, nil
	case "list":
		var req listRequest
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		params, err := listParams(req)
		if err != nil {
			return errorResponse{err.Error()}, nil
		}
		return map[string]any{"sets": keep(params)}, nil
	case "flatten":
		var req struct {
			ID int `json:"id"`
		}
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		params, err := lookup(req.ID)
		if err != nil {
			return nil, err
		}
		labels, err := flattenParameters(params)
		if err != nil {
			return errorResponse{err.Error()}, nil
		}
		return map[string]any{"labels": labels}, nil
	case "render":
		var req renderRequest
		if err := json.Unmarshal(request, &req); err != nil {
			return nil, err
		}
		params, err := lookup(req.ID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"results": renderAll(req, params)}, nil
	}
	return nil, fmt.Errorf("unknown operation %q", op)
}

func main() {
	js.Global().Set("gitopsAppset", js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = mustJSON(map[string]string{"internalError": fmt.Sprint(r)})
			}
		}()
		if len(args) != 2 {
			return mustJSON(map[string]string{"internalError": "expected (op, requestJSON)"})
		}
		response, err := handle(args[0].String(), []byte(args[1].String()))
		if err != nil {
			return mustJSON(map[string]string{"internalError": err.Error()})
		}
		return mustJSON(response)
	}))
	select {}
}

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(map[string]string{"internalError": err.Error()})
	}
	return string(data)
}
