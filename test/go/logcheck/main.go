// Command logcheck verifies a zhuisu transparency log from the outside, with Go's own implementation of signed notes
// and tiled Merkle logs (golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog) rather than ours:
//
//   - the checkpoint note verifies with the Ed25519 verifier key from /log/key (or the one given with -vkey); the SM2
//     signature line is by a key note does not know, so it is set aside unchecked, as signed notes require;
//   - tlog.TreeHash over a tlog.TileHashReader reading the hash tiles from /log/tile/ gives the checkpoint's root (the
//     reader authenticates every tile it reads against that root, so this checks the tile layout and contents);
//   - the event's entry, read from its entry bundle, has tlog.RecordHash equal to the leafHash of /api/v1/proof and to
//     the leaf hash the tiles hold;
//   - the inclusion proof of /api/v1/proof passes tlog.CheckRecord against the checkpoint and is the proof
//     tlog.ProveRecord builds from the tiles;
//   - the consistency proof of /api/v1/proof/consistency from the tree just after the event to the checkpoint passes
//     tlog.CheckTree, and the checkpoint the server signs for that older size has the root the tiles give for it.
//
// Usage: logcheck [-vkey <name+id+key>] <base URL> <API key> <eventID>
// It prints each check it made and exits 1 on the first failure, 2 on bad usage.
//
// Building offline: the program has no go.mod and is built in GOPATH mode against the library sources Debian's
// golang-golang-x-mod-dev package installs, with no module download:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o logcheck ./test/go/logcheck
//
// (GOPATH mode resolves golang.org/x/mod/... under $GOPATH/src, and the package, being outside GOPATH, builds under a
// local import path; module mode would need the module's requirements resolved through a proxy or module cache.)
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// tileHeight is the height of the log's tiles: C2SP tlog-tiles fixes it at 8 (256 hashes to a full tile).
const tileHeight = 8

type client struct {
	base   string
	apiKey string
	http   *http.Client
	// fetched counts the tiles read, for the report.
	fetched int
}

func (c *client) get(path string, authorized bool) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if authorized {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// c2spPath turns tlog's tile path, which names the tile height (tile/8/L/NNN[.p/W], tile/8/data/NNN[.p/W]), into the
// C2SP tlog-tiles path of the same tile, which does not (tile/L/NNN[.p/W], tile/entries/NNN[.p/W]).
func c2spPath(t tlog.Tile) (string, error) {
	goPath := t.Path()
	// Round trip through tlog's parser: the path we derive ours from is one tlog itself accepts for this tile.
	if parsed, err := tlog.ParseTilePath(goPath); err != nil || parsed != t {
		return "", fmt.Errorf("tlog does not read back its own tile path %q", goPath)
	}
	prefix := fmt.Sprintf("tile/%d/", t.H)
	if !strings.HasPrefix(goPath, prefix) {
		return "", fmt.Errorf("unexpected tlog tile path %q", goPath)
	}
	rest := strings.TrimPrefix(goPath, prefix)
	if strings.HasPrefix(rest, "data/") {
		return "tile/entries/" + strings.TrimPrefix(rest, "data/"), nil
	}
	return "tile/" + rest, nil
}

// tileReader is a tlog.TileReader over the server's hash tiles.
type tileReader struct{ c *client }

func (r tileReader) Height() int { return tileHeight }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		path, err := c2spPath(t)
		if err != nil {
			return nil, err
		}
		body, err := r.c.get("/log/"+path, false)
		if err != nil {
			return nil, err
		}
		if len(body) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s has %d bytes, want %d", path, len(body), t.W*tlog.HashSize)
		}
		r.c.fetched++
		data[i] = body
	}
	return data, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// checkpoint is an opened, parsed checkpoint note.
type checkpoint struct {
	origin string
	tree   tlog.Tree
	note   *note.Note
}

func openCheckpoint(text []byte, verifier note.Verifier) (*checkpoint, error) {
	n, err := note.Open(text, note.VerifierList(verifier))
	if err != nil {
		return nil, fmt.Errorf("the checkpoint note does not verify with %s+%08x: %v", verifier.Name(), verifier.KeyHash(), err)
	}
	lines := strings.SplitAfter(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, fmt.Errorf("the checkpoint text is not origin, size and root lines: %q", n.Text)
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	sizeText := strings.TrimSuffix(lines[1], "\n")
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return nil, fmt.Errorf("the checkpoint's tree size %q is not a decimal number", sizeText)
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("the checkpoint's root hash %q is not 32 bytes of base64", lines[2])
	}
	if origin != verifier.Name() {
		return nil, fmt.Errorf("the checkpoint's origin %q is not the key's name %q", origin, verifier.Name())
	}
	var hash tlog.Hash
	copy(hash[:], root)
	return &checkpoint{origin: origin, tree: tlog.Tree{N: size, Hash: hash}, note: n}, nil
}

func parseHash(text string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(text)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("%q is not a hex SHA-256 hash", text)
	}
	copy(h[:], b)
	return h, nil
}

func parseHashes(texts []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(texts))
	for i, text := range texts {
		h, err := parseHash(text)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func sameHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// decodeBundle splits an entry bundle: each entry is a 2-byte big-endian length and that many bytes.
func decodeBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("the entry bundle ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		if len(data) < n {
			return nil, fmt.Errorf("the entry bundle ends inside entry %d", len(entries))
		}
		entries = append(entries, data[:n])
		data = data[n:]
	}
	return entries, nil
}

type proofResponse struct {
	EventID        string   `json:"eventID"`
	LeafIndex      int64    `json:"leafIndex"`
	TreeSize       int64    `json:"treeSize"`
	LeafHash       string   `json:"leafHash"`
	InclusionProof []string `json:"inclusionProof"`
	Checkpoint     string   `json:"checkpoint"`
}

type consistencyResponse struct {
	From       int64    `json:"from"`
	To         int64    `json:"to"`
	Proof      []string `json:"proof"`
	Checkpoint string   `json:"checkpoint"`
}

func run(base, apiKey, eventID, pinnedKey string) error {
	c := &client{base: strings.TrimRight(base, "/"), apiKey: apiKey, http: &http.Client{Timeout: 30 * time.Second}}

	// 1. The verifier key, and the checkpoint it signs.
	vkey := pinnedKey
	if vkey == "" {
		body, err := c.get("/log/key", false)
		if err != nil {
			return err
		}
		vkey = strings.TrimSuffix(string(body), "\n")
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("the verifier key is not one note reads: %v", err)
	}
	noteText, err := c.get("/log/checkpoint", false)
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(noteText, verifier)
	if err != nil {
		return err
	}
	fmt.Printf("checked note: checkpoint of %s, tree size %d, signed by %s+%08x (Ed25519, golang.org/x/mod/sumdb/note); %d signature(s) by keys note does not know set aside\n",
		latest.origin, latest.tree.N, verifier.Name(), verifier.KeyHash(), len(latest.note.UnverifiedSigs))

	// 2. The tree hash from the hash tiles.
	hashes := tlog.TileHashReader(latest.tree, tileReader{c})
	th, err := tlog.TreeHash(latest.tree.N, hashes)
	if err != nil {
		return fmt.Errorf("tlog.TreeHash over the tiles: %v", err)
	}
	if th != latest.tree.Hash {
		return fmt.Errorf("tlog.TreeHash over the tiles is %v, the checkpoint says %v", th, latest.tree.Hash)
	}
	fmt.Printf("checked tiles: tlog.TreeHash over a tlog.TileHashReader of the hash tiles (%d read) is the checkpoint root %v\n", c.fetched, th)

	// 3. The event's proof, under the checkpoint it names.
	proofBody, err := c.get("/api/v1/proof?eventID="+url.QueryEscape(eventID), true)
	if err != nil {
		return err
	}
	var proof proofResponse
	if err := json.Unmarshal(proofBody, &proof); err != nil {
		return fmt.Errorf("the proof is not JSON: %v", err)
	}
	if proof.EventID != eventID {
		return fmt.Errorf("the proof is for %q, not %q", proof.EventID, eventID)
	}
	proven, err := openCheckpoint([]byte(proof.Checkpoint), verifier)
	if err != nil {
		return fmt.Errorf("the proof's checkpoint: %v", err)
	}
	if proven.tree.N != proof.TreeSize {
		return fmt.Errorf("the proof says tree size %d, its checkpoint %d", proof.TreeSize, proven.tree.N)
	}
	if proven.tree.N < latest.tree.N {
		return fmt.Errorf("the proof's checkpoint (size %d) is older than the latest (size %d)", proven.tree.N, latest.tree.N)
	}
	if proven.tree.N == latest.tree.N {
		if proven.tree.Hash != latest.tree.Hash {
			return fmt.Errorf("two checkpoints of size %d with different roots: %v and %v", proven.tree.N, latest.tree.Hash, proven.tree.Hash)
		}
	} else {
		// The log grew between the two requests: the newer tree must extend the one the tiles were checked against.
		newer := tlog.TileHashReader(proven.tree, tileReader{c})
		p, err := tlog.ProveTree(proven.tree.N, latest.tree.N, newer)
		if err != nil {
			return fmt.Errorf("tlog.ProveTree(%d, %d) over the tiles: %v", proven.tree.N, latest.tree.N, err)
		}
		if err := tlog.CheckTree(p, proven.tree.N, proven.tree.Hash, latest.tree.N, latest.tree.Hash); err != nil {
			return fmt.Errorf("the proof's checkpoint does not extend the latest: %v", err)
		}
		hashes = newer
	}
	tree := proven.tree
	if proof.LeafIndex < 0 || proof.LeafIndex >= tree.N {
		return fmt.Errorf("leaf index %d is not in the tree of size %d", proof.LeafIndex, tree.N)
	}
	leafHash, err := parseHash(proof.LeafHash)
	if err != nil {
		return fmt.Errorf("the proof's leafHash: %v", err)
	}

	// 4. The entry: its record hash is the leaf hash, and the tiles hold that leaf hash.
	bundleIndex := proof.LeafIndex / (1 << tileHeight)
	width := tree.N - bundleIndex*(1<<tileHeight)
	if width > 1<<tileHeight {
		width = 1 << tileHeight
	}
	entriesPath, err := c2spPath(tlog.Tile{H: tileHeight, L: -1, N: bundleIndex, W: int(width)})
	if err != nil {
		return err
	}
	bundle, err := c.get("/log/"+entriesPath, true)
	if err != nil {
		return err
	}
	entries, err := decodeBundle(bundle)
	if err != nil {
		return fmt.Errorf("%s: %v", entriesPath, err)
	}
	if int64(len(entries)) != width {
		return fmt.Errorf("%s holds %d entries, want %d", entriesPath, len(entries), width)
	}
	indexes := make([]int64, width)
	for i := range indexes {
		indexes[i] = tlog.StoredHashIndex(0, bundleIndex*(1<<tileHeight)+int64(i))
	}
	stored, err := hashes.ReadHashes(indexes)
	if err != nil {
		return fmt.Errorf("reading the leaf hashes of %s from the tiles: %v", entriesPath, err)
	}
	for i, entry := range entries {
		if tlog.RecordHash(entry) != stored[i] {
			return fmt.Errorf("entry %d of %s: tlog.RecordHash is %v, the hash tile holds %v", i, entriesPath, tlog.RecordHash(entry), stored[i])
		}
	}
	entry := entries[proof.LeafIndex%(1<<tileHeight)]
	fields := strings.Fields(string(entry))
	if !bytes.HasSuffix(entry, []byte("\n")) || len(fields) != 3 || fields[0] != "event" || fields[1] != eventID {
		return fmt.Errorf("leaf %d is %q, not the entry of event %s", proof.LeafIndex, entry, eventID)
	}
	if tlog.RecordHash(entry) != leafHash {
		return fmt.Errorf("tlog.RecordHash of leaf %d is %v, the proof's leafHash %v", proof.LeafIndex, tlog.RecordHash(entry), leafHash)
	}
	fmt.Printf("checked entry: leaf %d of %s is %q; tlog.RecordHash = the proof's leafHash = the tiles' leaf hash (all %d entries of the bundle match the tiles)\n",
		proof.LeafIndex, entriesPath, strings.TrimSuffix(string(entry), "\n"), len(entries))

	// 5. The inclusion proof, as tlog checks record proofs (RFC 6962 audit paths).
	recordProof, err := parseHashes(proof.InclusionProof)
	if err != nil {
		return fmt.Errorf("the inclusion proof: %v", err)
	}
	if err := tlog.CheckRecord(recordProof, tree.N, tree.Hash, proof.LeafIndex, leafHash); err != nil {
		return fmt.Errorf("tlog.CheckRecord of leaf %d in tree %d: %v", proof.LeafIndex, tree.N, err)
	}
	rebuilt, err := tlog.ProveRecord(tree.N, proof.LeafIndex, hashes)
	if err != nil {
		return fmt.Errorf("tlog.ProveRecord over the tiles: %v", err)
	}
	if !sameHashes(rebuilt, recordProof) {
		return fmt.Errorf("the server's inclusion proof differs from the one tlog.ProveRecord builds from the tiles")
	}
	fmt.Printf("checked inclusion: tlog.CheckRecord accepts the %d-hash proof of leaf %d in tree %d, and tlog.ProveRecord over the tiles gives the same proof\n",
		len(recordProof), proof.LeafIndex, tree.N)

	// 6. Consistency from the tree just after the event's leaf to the checkpoint, as tlog checks tree proofs.
	from := proof.LeafIndex + 1
	consistencyBody, err := c.get(fmt.Sprintf("/api/v1/proof/consistency?from=%d&to=%d", from, tree.N), true)
	if err != nil {
		return err
	}
	var consistency consistencyResponse
	if err := json.Unmarshal(consistencyBody, &consistency); err != nil {
		return fmt.Errorf("the consistency proof is not JSON: %v", err)
	}
	treeProof, err := parseHashes(consistency.Proof)
	if err != nil {
		return fmt.Errorf("the consistency proof: %v", err)
	}
	oldHash, err := tlog.TreeHash(from, hashes)
	if err != nil {
		return fmt.Errorf("tlog.TreeHash(%d) over the tiles: %v", from, err)
	}
	if consistency.From != from || consistency.To != tree.N {
		return fmt.Errorf("asked for consistency from %d to %d, got %d to %d", from, tree.N, consistency.From, consistency.To)
	}
	if err := tlog.CheckTree(treeProof, tree.N, tree.Hash, from, oldHash); err != nil {
		return fmt.Errorf("tlog.CheckTree from %d to %d: %v", from, tree.N, err)
	}
	if from < tree.N {
		rebuiltTree, err := tlog.ProveTree(tree.N, from, hashes)
		if err != nil {
			return fmt.Errorf("tlog.ProveTree over the tiles: %v", err)
		}
		if !sameHashes(rebuiltTree, treeProof) {
			return fmt.Errorf("the server's consistency proof differs from the one tlog.ProveTree builds from the tiles")
		}
	}
	oldBody, err := c.get(fmt.Sprintf("/api/v1/proof/consistency?from=%d&to=%d", from, from), true)
	if err != nil {
		return err
	}
	var old consistencyResponse
	if err := json.Unmarshal(oldBody, &old); err != nil {
		return fmt.Errorf("the consistency answer is not JSON: %v", err)
	}
	oldCheckpoint, err := openCheckpoint([]byte(old.Checkpoint), verifier)
	if err != nil {
		return fmt.Errorf("the checkpoint of size %d: %v", from, err)
	}
	if oldCheckpoint.tree.N != from || oldCheckpoint.tree.Hash != oldHash {
		return fmt.Errorf("the server signs size %d with root %v, the tiles give %v", oldCheckpoint.tree.N, oldCheckpoint.tree.Hash, oldHash)
	}
	fmt.Printf("checked consistency: tlog.CheckTree accepts the %d-hash proof from tree %d to tree %d; the signed checkpoint of size %d has the root tlog.TreeHash gives (%v)\n",
		len(treeProof), from, tree.N, from, oldHash)
	return nil
}

func main() {
	pinned := flag.String("vkey", "", "verify checkpoints with this note verifier key instead of the one /log/key serves")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: logcheck [-vkey <name+id+key>] <base URL> <API key> <eventID>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 3 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), flag.Arg(2), *pinned); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("OK: every check passed")
}
