using Xunit;

// Torch's global random generator (network initialisation, torch.manual_seed) is shared by every test in the process:
// run the tests one at a time so a seeded test is not disturbed by another test drawing from it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
