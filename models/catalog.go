// Package models holds the catalog of downloadable CLIP models (in the
// public Immich layout) and the scripts that build test models. The
// download logic lives in backend/modelhub.
package models

import _ "embed"

// Catalog is catalog.json: the models `tagsight models list` offers.
//
//go:embed catalog.json
var Catalog []byte
