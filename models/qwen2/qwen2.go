// Package qwen2 registers Qwen2ForCausalLM (model_type qwen2): the Llama
// architecture of package llama with biases on the query, key and value
// projections, usually with tied embeddings. As in transformers' eager
// attention, use_sliding_window does not restrict attention.
package qwen2

import (
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/models/llama"
)

func init() {
	models.Register(models.Family{ModelType: "qwen2", Kind: models.KindCausalLM, Architectures: []string{"Qwen2ForCausalLM"}, Description: "Qwen2 causal language model",
		New: models.Constructor(llama.ParseConfig, llama.New)})
}
