// Package models is vlmtune's model registry and the capability
// interfaces its layers above program against.
//
// A model family (package models/clip, models/siglip, ...) registers
// itself once with Register, by Hugging Face model_type and architecture
// names, with a constructor that decodes config.json. Load reads a
// checkpoint directory into the family's model and returns it as a Model
// (configuration, parameter declaration, saving); callers ask for what
// they need with a type assertion on a small capability interface:
// DualEncoder for CLIP-style contrastive models, Forwarder for
// `vlmtune forward`. Import models/all (or a family's package) so that its
// families are registered.
package models
