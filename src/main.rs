fn main() {
    vigil::start();
}
