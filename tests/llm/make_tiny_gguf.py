#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights.

For tests only: the text it generates is gibberish, but loading,
tokenising, sampling and streaming through llama.cpp are real. The
weights come from a fixed seed, so the file is the same on every run.
A sentencepiece-style vocabulary of single letters, digits and
punctuation (each also with the word-start mark) and the 256 byte
tokens keeps it small.

Usage: make_tiny_gguf.py OUTPUT.gguf
"""

import random
import struct
import sys
from array import array

N_EMBD = 32
N_LAYER = 2
N_HEAD = 4
N_FF = 64
N_CTX = 512
ALIGNMENT = 32

# GGUF value types and the ggml tensor type used.
UINT32, FLOAT32, BOOL, STRING, ARRAY = 4, 6, 7, 8, 9
GGML_F32 = 0


def vocabulary():
    pieces = list("abcdefghijklmnopqrstuvwxyz0123456789.,?!:'")
    # Byte tokens: llama.cpp needs the newline one, and any other text
    # falls back to bytes.
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    normal = ["\u2581"] + pieces + ["\u2581" + p for p in pieces]
    tokens = ["<unk>", "<s>", "</s>"] + byte_tokens + normal
    types = [2, 3, 3] + [6] * len(byte_tokens) + [1] * len(normal)
    scores = [0.0] * (3 + len(byte_tokens)) + [-float(i) for i in range(len(normal))]
    return tokens, types, scores


def gguf_string(text):
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def kv(key, kind, value):
    out = gguf_string(key) + struct.pack("<I", kind)
    if kind == UINT32:
        return out + struct.pack("<I", value)
    if kind == FLOAT32:
        return out + struct.pack("<f", value)
    if kind == BOOL:
        return out + struct.pack("<?", value)
    if kind == STRING:
        return out + gguf_string(value)
    element, items = value
    out += struct.pack("<IQ", element, len(items))
    for item in items:
        if element == STRING:
            out += gguf_string(item)
        elif element == FLOAT32:
            out += struct.pack("<f", item)
        else:
            out += struct.pack("<i", item)
    return out


def main():
    tokens, types, scores = vocabulary()
    n_vocab = len(tokens)
    metadata = [
        ("general.architecture", STRING, "llama"),
        ("general.name", STRING, "quote-ledger-test-tiny"),
        ("general.alignment", UINT32, ALIGNMENT),
        ("llama.context_length", UINT32, N_CTX),
        ("llama.embedding_length", UINT32, N_EMBD),
        ("llama.block_count", UINT32, N_LAYER),
        ("llama.feed_forward_length", UINT32, N_FF),
        ("llama.attention.head_count", UINT32, N_HEAD),
        ("llama.attention.head_count_kv", UINT32, N_HEAD),
        ("llama.rope.dimension_count", UINT32, N_EMBD // N_HEAD),
        ("llama.attention.layer_norm_rms_epsilon", FLOAT32, 1e-5),
        ("tokenizer.ggml.model", STRING, "llama"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, tokens)),
        ("tokenizer.ggml.scores", ARRAY, (FLOAT32, scores)),
        ("tokenizer.ggml.token_type", ARRAY, (5, types)),
        ("tokenizer.ggml.unknown_token_id", UINT32, 0),
        ("tokenizer.ggml.bos_token_id", UINT32, 1),
        ("tokenizer.ggml.eos_token_id", UINT32, 2),
        ("tokenizer.ggml.add_bos_token", BOOL, True),
    ]

    # ggml shapes: the innermost dimension first.
    shapes = [("token_embd.weight", (N_EMBD, n_vocab)),
              ("output_norm.weight", (N_EMBD,)),
              ("output.weight", (N_EMBD, n_vocab))]
    for i in range(N_LAYER):
        shapes += [(f"blk.{i}.attn_norm.weight", (N_EMBD,)),
                   (f"blk.{i}.attn_q.weight", (N_EMBD, N_EMBD)),
                   (f"blk.{i}.attn_k.weight", (N_EMBD, N_EMBD)),
                   (f"blk.{i}.attn_v.weight", (N_EMBD, N_EMBD)),
                   (f"blk.{i}.attn_output.weight", (N_EMBD, N_EMBD)),
                   (f"blk.{i}.ffn_norm.weight", (N_EMBD,)),
                   (f"blk.{i}.ffn_gate.weight", (N_EMBD, N_FF)),
                   (f"blk.{i}.ffn_up.weight", (N_EMBD, N_FF)),
                   (f"blk.{i}.ffn_down.weight", (N_FF, N_EMBD))]

    rand = random.Random(15)
    infos, blobs, offset = b"", [], 0
    for name, shape in shapes:
        count = 1
        for n in shape:
            count *= n
        if name.endswith("norm.weight"):
            values = array("f", [1.0] * count)
        else:
            values = array("f", [rand.gauss(0.0, 0.5) for _ in range(count)])
        blob = values.tobytes()
        blob += b"\0" * (-len(blob) % ALIGNMENT)
        infos += gguf_string(name) + struct.pack("<I", len(shape))
        infos += b"".join(struct.pack("<Q", n) for n in shape)
        infos += struct.pack("<IQ", GGML_F32, offset)
        blobs.append(blob)
        offset += len(blob)

    header = b"GGUF" + struct.pack("<IQQ", 3, len(shapes), len(metadata))
    header += b"".join(kv(*entry) for entry in metadata) + infos
    header += b"\0" * (-len(header) % ALIGNMENT)
    with open(sys.argv[1], "wb") as out:
        out.write(header)
        for blob in blobs:
            out.write(blob)


if __name__ == "__main__":
    main()
