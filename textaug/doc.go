// Package textaug augments captions and builds them from metadata, with
// every random choice drawn from a source seeded per (seed, epoch, example
// index): synonym replacement from a user thesaurus, random insertion,
// swap and deletion of words (the EDA operations of Wei and Zou, 2019), and
// templates such as "This {color} {item_type} ..." filled from an example's
// metadata.
package textaug
