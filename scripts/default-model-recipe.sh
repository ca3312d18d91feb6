# The default model's network, input and optimiser settings: sourced by train-default-model.sh and crossvalidate.sh, so
# cross-validation always measures the recipe that is shipped. The data-mix options (lesion insertion, source balance,
# display dropout, which only acts on HU inputs) stay in train-default-model.sh.
# --soup 2: two networks on the same split (training seeds 1 and 2), their weights averaged into one (docs/generalisation.md, 2h).
default_model_recipe=(--arch resnet18-imagenet --recipe brain-plus --size 224 --lr 1e-3 --augment 0.7 --weights int8 --soup 2)
