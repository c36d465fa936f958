// Package lora implements Low-Rank Adaptation: a frozen Linear W gains a
// trainable update, y = W·x + b + (alpha/r)·B·A·dropout(x), with A [r, in]
// drawn like PEFT (Kaiming-uniform) and B [out, r] starting at zero, so an
// adapted model starts equal to its base. Target modules are matched like
// PEFT; adapters merge into and unmerge from the base weights exactly; and
// they are saved and loaded in PEFT's format (adapter_config.json +
// adapter_model.safetensors), interchangeable with Python PEFT.
package lora
