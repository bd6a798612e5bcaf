package db

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSON holds a value stored as JSON: a json or jsonb column of
// PostgreSQL, a JSON column of MariaDB, text on SQLite. It is an argument
// (encoded with encoding/json) and a scalar to scan into; a NULL column
// leaves V zero and Valid false.
type JSON[T any] struct {
	V     T
	Valid bool // false for NULL
}

// AsJSON returns v to be stored as JSON.
func AsJSON[T any](v T) JSON[T] { return JSON[T]{V: v, Valid: true} }

// Value encodes j for the driver, as text: every driver takes it for
// JSON, and PostgreSQL casts it to json or jsonb.
func (j JSON[T]) Value() (driver.Value, error) {
	if !j.Valid {
		return nil, nil
	}
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan decodes a column into j.
func (j *JSON[T]) Scan(src any) error {
	var zero T
	j.V, j.Valid = zero, false
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		// pgx decodes json and jsonb itself, into a map or a slice:
		// encode it again to reach T.
		var err error
		if b, err = json.Marshal(v); err != nil {
			return fmt.Errorf("db: JSON from %T: %w", src, err)
		}
	}
	if err := json.Unmarshal(b, &j.V); err != nil {
		return fmt.Errorf("db: JSON into %T: %w", j.V, err)
	}
	j.Valid = true
	return nil
}
