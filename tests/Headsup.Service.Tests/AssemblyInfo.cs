using Xunit;

// Each test class starts its own service processes (and the scale-out test PostgreSQL and RabbitMQ): one class at a
// time keeps a 2-core CI machine from running eight services at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
