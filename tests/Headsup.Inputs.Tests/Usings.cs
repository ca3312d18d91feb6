global using Headsup.Testing;
global using Xunit;
global using Xunit.Abstractions;
